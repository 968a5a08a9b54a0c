package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared volume is the truth, and it gets damaged: records cut short by a power cut, markers or artifacts deleted
 * by hand, a job cancelled in between. Every job must still end done (or be retried to done), never a step whose
 * artifact is intact run again, and one bad job never blocks the start or the list API.
 */
class DamagedVolumeIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";

    @TempDir
    Path root;
    LocalStack stack;
    JobClient client;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        // a quick supervisor, so that a stale job is noticed within seconds rather than minutes
        stack = LocalStack.start(root, Map.of("talkreel.supervise.stale-after-ms", "2000"));
        client = new JobClient(stack.api(), stack.shared());
        // the voice sample takes a while, so the portrait is done long before the job is
        stack.emulators().yttools.behaviour().latency("task", Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void aTruncatedRecordOfAnUnfinishedJobIsSetAsideAndTheJobRebuiltAndFinished() throws Exception {
        String id = client.submit(JobClient.job(URL, "My record was cut short."));
        client.waitFor(id, j -> "running".equals(j.path("steps").path("audio").path("state").asText()), DEADLINE);

        stack.restartOrchestrator(() -> truncate(folder(id).resolve("job.json"), 0.5));

        assertEquals(200, client.get("/api/jobs").statusCode(), "the list answers despite the bad record");
        JsonNode done = client.waitForEnd(id, DEADLINE);
        assertEquals("done", done.path("status").asText(), done.toString());
        assertFalse(JobClient.event(done, "repair").isMissingNode(), done.toString());
        assertTrue(listing(folder(id)).contains("job.json.corrupt-"), "the damaged record is kept");
    }

    @Test
    void aZeroByteRecordOfADoneJobBlocksNeitherTheStartNorTheApi() throws Exception {
        String id = client.submit(JobClient.job(URL, "I was done before the power cut."));
        assertEquals("done", client.waitForEnd(id, DEADLINE).path("status").asText());

        stack.restartOrchestrator(() -> truncate(folder(id).resolve("job.json"), 0));

        JsonNode job = client.job(id);
        assertEquals("done", job.path("status").asText(), job.toString());
        assertEquals("outbox/" + id + ".mp4", job.path("result").path("video").asText());
        JsonNode list = JobClient.JSON.readTree(client.get("/api/jobs").body());
        assertTrue(list.path("jobs").findValuesAsText("job_id").contains(id), list.toString());
    }

    @Test
    void aDeletedMarkerWhoseArtifactIsIntactIsWrittenAgainWithoutRenderingAgain() throws Exception {
        String id = portraitDoneWhileAudioRuns("Lost my marker, kept my picture.");

        stack.restartOrchestrator(() -> delete(folder(id).resolve("portrait.done.json")));

        assertEndsDoneWithPortraitsRendered(id, 1, "the portrait was not rendered again");
    }

    @Test
    void aDeletedArtifactIsMadeAgainAfterARestart() throws Exception {
        String id = portraitDoneWhileAudioRuns("Somebody deleted my picture.");

        stack.restartOrchestrator(() -> delete(folder(id).resolve("portrait.png")));

        assertEndsDoneWithPortraitsRendered(id, 2, "the portrait was rendered again");
    }

    @Test
    void aMarkerDeletedWhileTheJobRunsIsNoticedByTheSupervisorWithoutARestart() throws Exception {
        String id = portraitDoneWhileAudioRuns("Nobody restarts me.");
        delete(folder(id).resolve("portrait.done.json"));

        // the join waits for a portrait marker that will never come: the supervisor sees a job nothing works on
        assertEndsDoneWithPortraitsRendered(id, 1, "the intact portrait was kept");
    }

    @Test
    void aCancelledJobWithADeletedMarkerIsRetriedToDone() throws Exception {
        String id = portraitDoneWhileAudioRuns("Cancel me, then try again.");
        assertEquals(200, send("DELETE", "/api/jobs/" + id).statusCode());
        client.waitFor(id, j -> "cancelled".equals(j.path("steps").path("audio").path("state").asText()), DEADLINE);
        delete(folder(id).resolve("portrait.done.json"));

        assertEquals(202, send("POST", "/api/jobs/" + id + "/retry").statusCode());

        assertEndsDoneWithPortraitsRendered(id, 1, "the intact portrait was kept");
    }

    @Test
    void aStuckRunningJobCanBeRetriedAndAFailedJobLeavesNoStepHeld() throws Exception {
        String id = portraitDoneWhileAudioRuns("Retry me while I look stuck.");
        assertEquals(409, send("POST", "/api/jobs/" + id + "/retry").statusCode(),
                "a step is running in this process right now: retry is refused, not doubled");
        assertEquals("done", client.waitForEnd(id, DEADLINE).path("status").asText());
        assertEquals(409, send("POST", "/api/jobs/" + id + "/retry").statusCode(), "a done job has nothing to retry");
        assertEquals(1, stack.emulators().yttools.calls().count("POST /api/download"));
    }

    private String portraitDoneWhileAudioRuns(String script) throws Exception {
        String id = client.submit(JobClient.job(URL, script));
        JsonNode j = client.waitFor(id, r -> "done".equals(r.path("steps").path("portrait").path("state").asText()),
                DEADLINE);
        assertTrue(!"done".equals(j.path("steps").path("audio").path("state").asText()), "audio still running: " + j);
        return id;
    }

    private void assertEndsDoneWithPortraitsRendered(String id, int renders, String why) throws Exception {
        JsonNode done = client.waitForEnd(id, DEADLINE);
        assertEquals("done", done.path("status").asText(), done.toString());
        assertEquals(renders, stack.emulators().comfyui.calls().count("POST /prompt"), why);
    }

    private Path folder(String id) {
        try {
            return JobClient.jobFolder(stack.shared(), id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.api() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList().toString();
        }
    }

    private static void truncate(Path file, double keep) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(bytes, (int) (bytes.length * keep)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
