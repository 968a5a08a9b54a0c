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
 * examples/routes/thumbnail.camel.yaml loaded beside the stock routes: a fifth step added in YAML alone. The full stack
 * against the emulators: the thumbnail is a real, small JPEG listed in the result message; a thumbnail step that fails (its
 * ffmpeg arguments are wrong) fails the job at step thumbnail, and after the fix and a restart, POST /retry makes the
 * job end done without running the earlier steps again.
 */
class ThumbnailStepIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final String WITH_THUMBNAIL = "file:routes/*.camel.yaml,file:examples/routes/thumbnail.camel.yaml";

    @TempDir
    Path root;

    @Test
    void aFailedThumbnailIsRetriedAfterTheFixAndTheJobEndsDoneWithItsThumbnailInTheResult() throws Exception {
        try (LocalStack stack = LocalStack.start(root, Map.of("camel.main.routes-include-pattern", WITH_THUMBNAIL,
                "talkreel.thumbnail.ffmpeg-args", "-i missing.mp4 -frames:v 1 thumbnail.jpg"))) {
            JobClient client = new JobClient(stack.api(), stack.shared());
            String id = client.submit(JobClient.job(URL, "A thumbnail for this one."));
            JsonNode failed = client.waitForEnd(id, DEADLINE);
            assertEquals("failed", failed.path("status").asText(), failed.toString());
            assertEquals("thumbnail", failed.path("current_step").asText());
            JsonNode error = failed.path("steps").path("thumbnail").path("error");
            assertEquals("StepFailedException", error.path("error_class").asText(), error.toString());
            assertTrue(error.path("message").asText().contains("missing.mp4"), error.toString());
            assertEquals("done", failed.path("steps").path("video").path("state").asText());
            int renders = stack.emulators().infinitetalk.calls().count("POST /api/generate-video");

            // the operator fixes the setting and restarts; the job waits, failed, until it is retried
            stack.restartOrchestrator(Map.of("talkreel.thumbnail.ffmpeg-args",
                    "-ss 1 -i video.mp4 -frames:v 1 -vf scale=320:-2 -q:v 4 thumbnail.jpg"), () -> { });
            HttpResponse<String> retried = client.action("POST", id + "/retry");
            assertEquals(202, retried.statusCode(), retried.body());
            JsonNode done = client.waitForEnd(id, DEADLINE);

            assertEquals("done", done.path("status").asText(), done.toString());
            assertEquals(2, done.path("steps").path("thumbnail").path("attempt").asInt());
            for (String step : List.of("audio", "voice", "portrait", "video")) {
                assertEquals(1, done.path("steps").path(step).path("attempt").asInt(), step + " not run again");
            }
            assertEquals(renders, stack.emulators().infinitetalk.calls().count("POST /api/generate-video"));
            assertThumbnailInResult(stack, id);
        }
    }

    private static void assertThumbnailInResult(LocalStack stack, String id) throws Exception {
        Path result = JobClient.waitForFile(stack.shared().resolve("outbox/" + id + ".json"), DEADLINE);
        JsonNode thumbnail = JobClient.JSON.readTree(result.toFile()).path("steps").path("thumbnail");
        assertEquals("ffmpeg", thumbnail.path("service").asText(), thumbnail.toString());
        assertTrue(thumbnail.path("artifact").asText().endsWith(id + "/thumbnail.jpg"), thumbnail.toString());
        Path jpeg = JobClient.waitForFile(stack.shared().resolve(thumbnail.path("artifact").asText()), DEADLINE);
        byte[] head = Arrays.copyOf(Files.readAllBytes(jpeg), 3);
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, head, "a JPEG file");
        MediaInfo info = MediaProbe.probe(jpeg);
        assertEquals("mjpeg", info.video().codecName());
        assertEquals(info.video().width(), thumbnail.path("details").path("width").asInt());
        assertEquals(320, info.video().width(), "a small JPEG");
    }
}
