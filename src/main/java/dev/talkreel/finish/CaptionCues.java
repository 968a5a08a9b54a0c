package dev.talkreel.finish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.pipeline.StepFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The caption cues the captions step leaves in the job folder, {@code captions.json}:
 * {@code {"width": W, "height": H, "cues": [{"start": 0.42, "end": 2.10, "text": "...", "image": "captions/cue-001.png"}]}}.
 * Each image is a full-frame transparent PNG, overlaid on the video between its start and end. No file (no captions
 * step declared) or no cues (captions off) means nothing to burn in.
 */
public record CaptionCues(List<Cue> cues) {
    public static final String FILE = "captions.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One cue: shown from {@code start} to {@code end} (seconds); {@code image} is relative to the job folder. */
    public record Cue(double start, double end, String text, String image) {
    }

    /** The cues of the job folder {@code dir}; a cue naming a picture outside it, or missing, fails the step. */
    public static CaptionCues read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return new CaptionCues(List.of());
        }
        JsonNode json = JSON.readTree(file.toFile());
        List<Cue> cues = new ArrayList<>();
        for (JsonNode c : json.path("cues")) {
            String image = c.path("image").asText("");
            Path picture = dir.resolve(image).normalize();
            if (image.isEmpty() || !picture.startsWith(dir) || image.startsWith("/") || image.contains("\\")
                    || !Files.isRegularFile(picture, LinkOption.NOFOLLOW_LINKS)) {
                throw new StepFailedException(FILE + " names the cue picture '" + image + "', which is not a file "
                        + "in the job folder");
            }
            double start = c.path("start").asDouble(-1);
            double end = c.path("end").asDouble(-1);
            if (start < 0 || end <= start) {
                throw new StepFailedException(FILE + " has a cue from " + start + " s to " + end + " s");
            }
            cues.add(new Cue(start, end, c.path("text").asText(""), dir.relativize(picture).toString()));
        }
        return new CaptionCues(List.copyOf(cues));
    }
}
