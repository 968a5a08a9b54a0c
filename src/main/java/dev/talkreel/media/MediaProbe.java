package dev.talkreel.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads media files with ffprobe. Used by the orchestrator to measure artifacts, and by the emulators and tests. */
public final class MediaProbe {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private MediaProbe() {
    }

    /** Probes {@code file}; frame counts come from the container (fast), not from decoding. */
    public static MediaInfo probe(Path file) throws IOException {
        return probe(file, false);
    }

    /** Probes {@code file}; with {@code countFrames} the video is decoded to count its frames exactly. */
    public static MediaInfo probe(Path file, boolean countFrames) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such media file: " + file);
        }
        List<String> command = new ArrayList<>(List.of(Ffmpeg.ffprobePath().toString(), "-v", "error"));
        if (countFrames) {
            command.add("-count_frames");
        }
        command.addAll(List.of("-show_format", "-show_streams", "-of", "json", file.toString()));
        JsonNode json = MAPPER.readTree(Ffmpeg.exec(command, TIMEOUT));
        List<MediaInfo.Stream> streams = new ArrayList<>();
        for (JsonNode s : json.path("streams")) {
            long frames = countFrames ? s.path("nb_read_frames").asLong(0) : s.path("nb_frames").asLong(0);
            streams.add(new MediaInfo.Stream(s.path("codec_type").asText(), s.path("codec_name").asText(),
                    s.path("width").asInt(0), s.path("height").asInt(0), s.path("sample_rate").asInt(0),
                    s.path("channels").asInt(0), rate(s.path("r_frame_rate").asText("0/1")), frames,
                    s.path("duration").asDouble(0), s.path("profile").asText(""), s.path("pix_fmt").asText(""),
                    s.path("start_time").asDouble(0)));
        }
        JsonNode format = json.path("format");
        return new MediaInfo(format.path("format_name").asText(), format.path("duration").asDouble(0), streams);
    }

    private static double rate(String fraction) {
        String[] p = fraction.split("/");
        double den = p.length > 1 ? Double.parseDouble(p[1]) : 1;
        return den == 0 ? 0 : Double.parseDouble(p[0]) / den;
    }
}
