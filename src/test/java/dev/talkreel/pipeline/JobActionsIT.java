package dev.talkreel.pipeline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Retry and cancel of a job, idempotent submissions, and the API's bearer token, through the real app. */
class JobActionsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aFailedJobIsRetriedFromItsFailedStepWithoutRedoingFinishedOnes() throws Exception {
        talkreel.emulators().infinitetalk.behaviour().failNext("generate", Fault.OOM, 2);
        String id = talkreel.client().submit(JobClient.job(URL, "Retry me from the video."));
        JsonNode failed = talkreel.client().waitForEnd(id, DEADLINE);
        assertEquals("failed", failed.path("status").asText());
        assertEquals("video", failed.path("current_step").asText());
        int downloads = talkreel.emulators().yttools.calls().count("POST /api/download");
        int tts = talkreel.emulators().vibevoice.calls().count("POST /api/tts");
        int prompts = talkreel.emulators().comfyui.calls().count("POST /prompt");

        HttpResponse<String> retried = post("/api/jobs/" + id + "/retry");
        assertEquals(202, retried.statusCode(), retried.body());
        JsonNode done = talkreel.client().waitForEnd(id, DEADLINE);

        assertEquals("done", done.path("status").asText(), done.toString());
        assertEquals(2, done.path("steps").path("video").path("attempt").asInt(), "second run of the video step");
        assertEquals(1, done.path("steps").path("voice").path("attempt").asInt());
        assertEquals(downloads, talkreel.emulators().yttools.calls().count("POST /api/download"), "audio not redone");
        assertEquals(tts, talkreel.emulators().vibevoice.calls().count("POST /api/tts"), "voice not redone");
        assertEquals(prompts, talkreel.emulators().comfyui.calls().count("POST /prompt"), "portrait not redone");
        // the retry is in the job's events (GPU hand-offs and slot waits come between)
        assertEquals("video", JobClient.event(done, "retry").path("step").asText(), done.path("events").toString());
        assertEquals(409, post("/api/jobs/" + id + "/retry").statusCode(), "a done job cannot be retried");
        assertEquals(404, post("/api/jobs/20200101-000000-abcdef/retry").statusCode());
    }

    @Test
    void aCancelledJobStopsAndComfyUiDropsItsPrompt() throws Exception {
        // a job another test of this class left running could take the GPU slot this job's portrait needs
        await("the other tests' jobs end").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> JobClient.allRecords(talkreel.stack().shared()).stream()
                        .allMatch(j -> j.path("status").asText().matches("done|failed|cancelled")));
        talkreel.emulators().comfyui.behaviour().latency("execute", Duration.ofSeconds(30));
        talkreel.emulators().yttools.behaviour().latency("task", Duration.ofSeconds(30));
        String id = talkreel.client().submit(JobClient.job(URL, "Never mind."));
        talkreel.client().waitFor(id, j -> !j.path("steps").path("portrait").path("task_id").isMissingNode()
                && j.path("steps").path("portrait").hasNonNull("task_id"), DEADLINE);

        HttpResponse<String> cancelled = http.send(HttpRequest.newBuilder(URI.create(talkreel.stack().api() + "/api/jobs/" + id))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, cancelled.statusCode(), cancelled.body());

        JsonNode job = talkreel.client().waitFor(id, j -> "cancelled".equals(j.path("steps").path("portrait").path("state").asText())
                && "cancelled".equals(j.path("steps").path("audio").path("state").asText()), DEADLINE);
        assertEquals("cancelled", job.path("status").asText());
        assertFalse(JobClient.event(job, "cancel").isMissingNode(), job.path("events").toString());
        waitUntil(() -> talkreel.emulators().comfyui.calls().count("POST /interrupt") >= 1);
        JsonNode history = waitForHistory(job.path("steps").path("portrait").path("task_id").asText());
        assertEquals("error", history.path("status").path("status_str").asText(), "the prompt was interrupted");
        assertEquals(409, http.send(HttpRequest.newBuilder(URI.create(talkreel.stack().api() + "/api/jobs/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "already cancelled");
    }

    @Test
    void theSameJobFileTwiceOrTheSameIdempotencyKeyGiveOneJob() throws Exception {
        String job = JobClient.job("https://youtu.be/idempotent1", "Only once, please.");
        HttpResponse<String> first = talkreel.client().post(job, "key-42");
        HttpResponse<String> second = talkreel.client().post(job, "key-42");
        assertEquals(202, first.statusCode());
        assertEquals(200, second.statusCode());
        String id = JobClient.JSON.readTree(first.body()).path("job_id").asText();
        assertEquals(id, JobClient.JSON.readTree(second.body()).path("job_id").asText());

        String file = JobClient.job("https://youtu.be/idempotent2", "Dropped twice.");
        talkreel.client().drop("twice-a.json", file);
        JobClient.waitForKept(talkreel.stack().shared().resolve("inbox/.done"), "twice-a.json",
                Duration.ofSeconds(20));
        talkreel.client().drop("twice-b.json", file);
        JobClient.waitForKept(talkreel.stack().shared().resolve("inbox/.done"), "twice-b.json", Duration.ofSeconds(20));

        assertEquals(1, jobsWithVideo("idempotent1"));
        assertEquals(1, jobsWithVideo("idempotent2"));
    }

    @Test
    void boundBeyondLoopbackTheApiWantsABearerToken(@TempDir Path other) throws Exception {
        IllegalStateException refused = null;
        try (LocalStack open = LocalStack.start(other, Map.of("talkreel.http.host", "0.0.0.0"))) {
            open.camel();
        } catch (Exception e) {
            refused = findCause(e);
        }
        assertTrue(refused != null && refused.getMessage().contains("talkreel.http.token"), String.valueOf(refused));

        try (LocalStack guarded = LocalStack.start(other.resolve("b"), Map.of("talkreel.http.token", "s3cret"))) {
            URI jobs = URI.create(guarded.api() + "/api/jobs");
            assertEquals(401, http.send(HttpRequest.newBuilder(jobs).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            assertEquals(401, http.send(HttpRequest.newBuilder(jobs).header("Authorization", "Bearer wrong").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(jobs).header("Authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(talkreel.stack().api() + path)).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode waitForHistory(String promptId) throws Exception {
        return await("prompt " + promptId + " ends").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> JobClient.JSON.readTree(http.send(HttpRequest.newBuilder(
                        URI.create(talkreel.emulators().comfyui.baseUrl() + "/history/" + promptId)).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).path(promptId), h -> !h.isMissingNode());
    }

    private long jobsWithVideo(String videoId) throws Exception {
        return JobClient.allRecords(talkreel.stack().shared()).stream()
                .filter(j -> videoId.equals(j.path("input").path("video_id").asText())).count();
    }

    private static void waitUntil(BooleanSupplier condition) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }

    private static IllegalStateException findCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException ise && ise.getMessage() != null
                    && ise.getMessage().contains("talkreel.http.token")) {
                return ise;
            }
        }
        return null;
    }
}
