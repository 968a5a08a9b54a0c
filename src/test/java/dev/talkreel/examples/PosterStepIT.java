package dev.talkreel.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/routes/poster.camel.yaml loaded beside the stock routes: a fifth step added in YAML alone. The full stack
 * against the emulators: the poster is a real JPEG listed in the result message; a poster step that fails (its
 * ffmpeg arguments are wrong) fails the job at step poster, and after the fix and a restart, POST /retry makes the
 * job end done without running the earlier steps again.
 */
class PosterStepIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final String WITH_POSTER = "file:routes/*.camel.yaml,file:examples/routes/poster.camel.yaml";

    @TempDir
    Path root;

    @Test
    void aFailedPosterIsRetriedAfterTheFixAndTheJobEndsDoneWithItsPosterInTheResult() throws Exception {
        try (LocalStack stack = LocalStack.start(root, Map.of("camel.main.routes-include-pattern", WITH_POSTER,
                "talkreel.poster.ffmpeg-args", "-i missing.mp4 -frames:v 1 poster.jpg"))) {
            JobClient client = new JobClient(stack.api(), stack.shared());
            String id = client.submit(JobClient.job(URL, "A poster for this one."));
            JsonNode failed = client.waitForEnd(id, DEADLINE);
            assertEquals("failed", failed.path("status").asText(), failed.toString());
            assertEquals("poster", failed.path("current_step").asText());
            JsonNode error = failed.path("steps").path("poster").path("error");
            assertEquals("StepFailedException", error.path("error_class").asText(), error.toString());
            assertTrue(error.path("message").asText().contains("missing.mp4"), error.toString());
            assertEquals("done", failed.path("steps").path("video").path("state").asText());
            int renders = stack.emulators().infinitetalk.calls().count("POST /api/generate-video");

            // the operator fixes the setting and restarts; the job waits, failed, until it is retried
            stack.restartOrchestrator(Map.of("talkreel.poster.ffmpeg-args",
                    "-ss 1 -i video.mp4 -frames:v 1 -q:v 3 poster.jpg"), () -> { });
            HttpResponse<String> retried = client.action("POST", id + "/retry");
            assertEquals(202, retried.statusCode(), retried.body());
            JsonNode done = client.waitForEnd(id, DEADLINE);

            assertEquals("done", done.path("status").asText(), done.toString());
            assertEquals(2, done.path("steps").path("poster").path("attempt").asInt());
            for (String step : List.of("audio", "voice", "portrait", "video")) {
                assertEquals(1, done.path("steps").path(step).path("attempt").asInt(), step + " not run again");
            }
            assertEquals(renders, stack.emulators().infinitetalk.calls().count("POST /api/generate-video"));
            assertPosterInResult(stack, id);
        }
    }

    private static void assertPosterInResult(LocalStack stack, String id) throws Exception {
        Path result = JobClient.waitForFile(stack.shared().resolve("outbox/" + id + ".json"), DEADLINE);
        JsonNode poster = JobClient.JSON.readTree(result.toFile()).path("steps").path("poster");
        assertEquals("ffmpeg", poster.path("service").asText(), poster.toString());
        assertTrue(poster.path("artifact").asText().endsWith(id + "/poster.jpg"), poster.toString());
        Path jpeg = JobClient.waitForFile(stack.shared().resolve(poster.path("artifact").asText()), DEADLINE);
        byte[] head = Arrays.copyOf(Files.readAllBytes(jpeg), 3);
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, head, "a JPEG file");
        MediaInfo info = MediaProbe.probe(jpeg);
        assertEquals("mjpeg", info.video().codecName());
        assertEquals(info.video().width(), poster.path("details").path("width").asInt());
        assertTrue(info.video().width() > 0);
    }
}
