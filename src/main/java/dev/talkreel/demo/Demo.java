package dev.talkreel.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.App;
import dev.talkreel.Settings;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.camel.main.Main;

/**
 * {@code java -jar target/talkreel.jar demo}: the four emulators, the orchestrator, and examples/job.json sent through
 * the HTTP API like any client would. Shows each step as it goes, and succeeds only when the outbox holds a real
 * 8-second H.264/AAC video at 25 fps.
 */
public final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofMinutes(10);
    private static final Set<String> TERMINAL = Set.of("done", "failed", "cancelled");
    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Demo(Settings settings) {
        this.settings = settings;
    }

    public int run() throws Exception {
        // The emulators answer in seconds, not minutes: poll them often so the demo is quick.
        defaultProperty("talkreel.yttools.poll-interval-ms", "500");
        defaultProperty("talkreel.comfyui.poll-interval-ms", "500");
        Path job = Path.of(settings.get("talkreel.demo.job", "examples/job.json"));
        System.out.println("talkreel demo: emulators + orchestrator + " + job);
        try (Emulators emulators = Emulators.start(settings)) {
            Main main = App.orchestrator();
            main.start();
            try {
                return submitAndFollow(job, "http://" + settings.get("talkreel.http.host", "127.0.0.1") + ":"
                        + settings.get("talkreel.http.port", "8080"));
            } finally {
                main.stop();
            }
        }
    }

    private int submitAndFollow(Path job, String api) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(job)).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("POST /api/jobs -> " + created.statusCode() + " " + created.body());
        if (created.statusCode() != 202) {
            return 1;
        }
        String statusUrl = api + JSON.readTree(created.body()).path("status_url").asText();
        long start = System.nanoTime();
        Map<String, String> shown = new HashMap<>();
        JsonNode record;
        do {
            Thread.sleep(250);
            record = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(statusUrl)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            show(record, shown, start);
            if (System.nanoTime() - start > DEADLINE.toNanos()) {
                System.out.println("the job did not finish within " + DEADLINE.toMinutes() + " minutes");
                return 1;
            }
        } while (!TERMINAL.contains(record.path("status").asText()));
        if (!"done".equals(record.path("status").asText())) {
            System.out.println("job " + record.path("status").asText() + ": " + record.path("error").path("message").asText());
            return 1;
        }
        // result paths are relative to the shared volume (every service and client mounts it elsewhere)
        Path shared = Path.of(settings.get("talkreel.shared.dir", "./data/shared"));
        Path video = shared.resolve(record.path("result").path("video").asText());
        MediaInfo info = MediaProbe.probe(video, true);
        boolean ok = info.video() != null && "h264".equals(info.video().codecName()) && info.audio() != null
                && "aac".equals(info.audio().codecName()) && Math.abs(info.durationSeconds() - 8.0) <= 0.1
                && Math.abs(info.video().frameRate() - 25.0) < 0.01;
        System.out.printf(Locale.ROOT, "video: %s, %s %dx%d %.0f fps, %d frames, %s audio, %.3f s, %d bytes%n", video,
                info.video() == null ? "-" : info.video().codecName(), info.video() == null ? 0 : info.video().width(),
                info.video() == null ? 0 : info.video().height(), info.video() == null ? 0 : info.video().frameRate(),
                info.video() == null ? 0 : info.video().frames(), info.audio() == null ? "no" : info.audio().codecName(),
                info.durationSeconds(), Files.size(video));
        System.out.println("result: " + shared.resolve(record.path("result").path("result").asText()));
        System.out.println(ok ? "demo OK" : "demo FAILED: the video is not an 8 s H.264/AAC MP4 at 25 fps");
        return ok ? 0 : 1;
    }

    private static void show(JsonNode record, Map<String, String> shown, long start) {
        for (Iterator<Map.Entry<String, JsonNode>> it = record.path("steps").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> step = it.next();
            JsonNode s = step.getValue();
            String line = s.path("state").asText() + (s.hasNonNull("task_id") ? " (task " + s.path("task_id").asText() + ")" : "")
                    + (s.hasNonNull("error") ? ": " + s.path("error").path("message").asText() : "");
            if (!line.equals(shown.put(step.getKey(), line))) {
                System.out.printf(Locale.ROOT, "[%5.1f s] %-9s %s%n", (System.nanoTime() - start) / 1e9, step.getKey(), line);
            }
        }
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
