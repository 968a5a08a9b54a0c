package dev.talkreel.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a history of finished jobs onto a shared volume, as talkreel leaves them: a record, the intake marker, the
 * four step markers and small artifacts per job, either in the archive (where talkreel puts done jobs) or among the
 * live jobs (the layout of talkreel before the archive, which a start moves over once).
 */
public final class History {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final String[][] STEPS = {{"audio", "reference.mp3"}, {"voice", "voice-8s.wav"},
        {"portrait", "portrait.png"}, {"video", "video.mp4"}};

    private History() {
    }

    /** Writes {@code count} done jobs, one a minute back from now; returns their ids, oldest first. */
    public static List<String> write(Path shared, int count, boolean archived) throws IOException {
        List<String> ids = new ArrayList<>();
        Instant start = Instant.now().minusSeconds(60L * count + 3600);
        for (int i = 0; i < count; i++) {
            Instant created = start.plusSeconds(60L * i);
            String id = ID_TIME.format(created) + "-" + String.format("h%05d", i);
            Path dir = archived ? shared.resolve("archive").resolve(id.substring(0, 8)).resolve(id)
                    : shared.resolve("jobs").resolve(id);
            Files.createDirectories(dir);
            StringBuilder steps = new StringBuilder();
            for (String[] step : STEPS) {
                Files.writeString(dir.resolve(step[1]), "artifact of " + step[0]);
                Files.writeString(dir.resolve(step[0] + ".done.json"), "{\"job_id\": \"" + id + "\", \"step\": \""
                        + step[0] + "\", \"artifact\": \"" + step[1] + "\", \"attempt\": 1}");
                steps.append(steps.length() == 0 ? "" : ", ").append("\"").append(step[0])
                        .append("\": {\"state\": \"done\", \"attempt\": 1, \"artifact\": \"").append(step[1]).append("\"}");
            }
            String input = "{\"youtube_url\": \"https://www.youtube.com/watch?v=ao8f3qyMoLM\", \"video_id\": "
                    + "\"ao8f3qyMoLM\", \"script\": \"History number " + i + ".\", \"segment_start\": 40, \"segment_end\": 70}";
            Files.writeString(dir.resolve("intake.done.json"), "{\"job_id\": \"" + id + "\", \"step\": \"intake\", "
                    + "\"at\": \"" + created + "\", \"input\": " + input + "}");
            Files.writeString(dir.resolve("job.json"), "{\"job_id\": \"" + id + "\", \"status\": \"done\", "
                    + "\"created\": \"" + created + "\", \"updated\": \"" + created.plusSeconds(30) + "\", \"finished\": \""
                    + created.plusSeconds(30) + "\", \"input\": " + input + ", \"steps\": {" + steps + "}, \"result\": "
                    + "{\"result\": \"outbox/" + id + ".json\", \"video\": \"outbox/" + id + ".mp4\"}}",
                    StandardCharsets.UTF_8);
            ids.add(id);
        }
        return ids;
    }
}
