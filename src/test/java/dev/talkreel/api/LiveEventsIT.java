package dev.talkreel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live progress of jobs over Server-Sent Events, the time-to-done estimate and the artifacts, through the real
 * app: every step's transition reaches a client, how long after its marker was written, a job's stream starts with
 * its state, a stream outlives the request timeout, and the streams are capped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveEventsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final int MAX_STREAMS = 4;

    // a short request timeout and heartbeat: a stream must outlive the one and carry the other
    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of("talkreel.http.request-timeout-ms", "4000",
            "talkreel.events.heartbeat-ms", "300", "talkreel.events.max-streams", String.valueOf(MAX_STREAMS)));
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    @Order(1)
    void everyTransitionReachesAClientSoonAfterItsMarkerAndTheEstimateLearns() throws Exception {
        JobClient client = talkreel.client();
        String api = talkreel.stack().api();
        List<Long> latencies = new ArrayList<>();
        List<Long> sinceRename = new ArrayList<>();
        try (SseClient all = new SseClient(api + "/api/events")) {
            assertEquals(200, all.response.statusCode());
            assertTrue(all.response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));

            String first = client.submit(JobClient.job(URL, "The first job: nothing is known yet."));
            assertTrue(client.job(first).path("estimated_seconds_to_done").isNull(), "no step ever ran here");
            assertEquals("done", client.waitForEnd(first, DEADLINE).path("status").asText());
            List<String> ids = new ArrayList<>(List.of(first));
            for (int i = 0; i < 3; i++) {
                String id = client.submit(JobClient.job(URL, "Job number " + i + " of the live events test."));
                JsonNode queued = client.job(id);
                assertTrue(queued.path("estimated_seconds_to_done").isNumber(), "learnt from the first job: " + queued);
                ids.add(id);
            }
            for (String id : ids) {
                assertEquals("done", client.waitForEnd(id, DEADLINE).path("status").asText());
                all.waitFor("the result of " + id, SseClient.of("result", "job_id", id), Duration.ofSeconds(10));
                assertEquals(0, client.job(id).path("estimated_seconds_to_done").asInt());
                Path folder = JobClient.jobFolder(talkreel.shared(), id);
                for (String step : List.of("audio", "voice", "portrait", "video")) {
                    SseClient.Received started = all.waitFor(id + " " + step + " started", e -> e.type().equals("step")
                            && e.data().path("job_id").asText().equals(id) && e.data().path("step").asText().equals(step)
                            && e.data().path("state").asText().equals("running"), Duration.ofSeconds(5));
                    assertEquals(1, started.data().path("attempt").asInt());
                    SseClient.Received done = all.waitFor(id + " " + step + " done", e -> e.type().equals("step")
                            && e.data().path("job_id").asText().equals(id) && e.data().path("step").asText().equals(step)
                            && e.data().path("state").asText().equals("done"), Duration.ofSeconds(5));
                    assertTrue(done.data().path("elapsed_ms").asLong() >= 0);
                    // written (its content; then fsynced) and renamed into place (its status change time, Linux)
                    Path marker = folder.resolve(step + ".done.json");
                    latencies.add(done.atMillis() - Files.getLastModifiedTime(marker).toMillis());
                    FileTime renamed = (FileTime) Files.getAttribute(marker, "unix:ctime");
                    sinceRename.add(done.atMillis() - renamed.toMillis());
                }
            }
            assertTrue(all.events.stream().anyMatch(e -> e.type().equals("progress")
                    && e.data().path("step").asText().equals("audio")), "yttools' progress is passed on");
        }
        Collections.sort(latencies);
        long median = latencies.get(latencies.size() / 2);
        Collections.sort(sinceRename);
        System.out.printf("SSE: marker written -> event received, over %d step transitions: median %d ms, max %d ms; "
                + "marker renamed into place -> event received: median %d ms, max %d ms%n", latencies.size(), median,
                latencies.get(latencies.size() - 1), sinceRename.get(sinceRename.size() / 2),
                sinceRename.get(sinceRename.size() - 1));
        assertTrue(latencies.get(0) >= -50, "an event never arrives before its marker is written: " + latencies);
        assertTrue(median < 500, "median " + median + " ms: " + latencies);
    }

    @Test
    void aJobStreamStartsWithTheJobsStateAndOutlivesTheRequestTimeout() throws Exception {
        talkreel.emulators().infinitetalk.behaviour().latency("generate", Duration.ofSeconds(6));
        String id = talkreel.client().submit(JobClient.job(URL, "Watch me over a long render."));
        try (SseClient stream = new SseClient(talkreel.stack().api() + "/api/jobs/" + id + "/events?token=ignored")) {
            SseClient.Received first = stream.waitFor("the job's state", e -> true, Duration.ofSeconds(5));
            assertEquals("job", first.type());
            assertEquals(id, first.data().path("job_id").asText());
            assertTrue(first.data().has("estimated_seconds_to_done"));
            stream.waitFor("the job done", SseClient.of("status", "status", "done"), DEADLINE);
            assertTrue(stream.events.stream().allMatch(e -> e.data().path("job_id").asText().equals(id)),
                    "only this job's events");
            assertFalse(stream.ended(), "the stream stays open past talkreel.http.request-timeout-ms (4 s)");
            assertTrue(stream.comments.size() >= 3, "heartbeats: " + stream.comments.size());
        }
        // a finished job's stream still starts with its state: a client that connects late misses nothing
        try (SseClient late = new SseClient(talkreel.stack().api() + "/api/jobs/" + id + "/events")) {
            SseClient.Received first = late.waitFor("the job's state", e -> true, Duration.ofSeconds(5));
            assertEquals("done", first.data().path("status").asText());
            assertTrue(first.data().path("result").isObject());
        }
    }

    @Test
    void artifactsAreServedByStepNameOnlyForDoneSteps() throws Exception {
        String id = talkreel.client().submit(JobClient.job(URL, "Show me what you made."));
        talkreel.client().waitForEnd(id, DEADLINE);
        Path folder = JobClient.jobFolder(talkreel.shared(), id);
        Map<String, String> types = Map.of("audio", "audio/mpeg", "voice", "audio/wav", "portrait", "image/png",
                "video", "video/mp4");
        Map<String, String> files = Map.of("audio", "reference.mp3", "voice", "voice-8s.wav", "portrait", "portrait.png",
                "video", "video.mp4");
        for (String step : types.keySet()) {
            HttpResponse<byte[]> r = get("/api/jobs/" + id + "/artifacts/" + step);
            assertEquals(200, r.statusCode(), step);
            assertEquals(types.get(step), r.headers().firstValue("Content-Type").orElse(""), step);
            assertArrayEquals(Files.readAllBytes(folder.resolve(files.get(step))), r.body(), step);
        }
        for (String wrong : List.of("intake", "job.json", "..%2Fjob.json", "nosuchstep", "video.mp4")) {
            assertEquals(404, get("/api/jobs/" + id + "/artifacts/" + wrong).statusCode(), wrong);
        }
        assertEquals(404, get("/api/jobs/20200101-000000-abcdef/artifacts/video").statusCode());
        assertEquals(404, get("/api/jobs/20200101-000000-abcdef/events").statusCode());
    }

    @Test
    void theStreamsAreCapped() throws Exception {
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_STREAMS; i++) {
                open.add(new SseClient(talkreel.stack().api() + "/api/events"));
                assertEquals(200, open.get(i).response.statusCode());
            }
            HttpResponse<byte[]> refused = get("/api/events");
            assertEquals(503, refused.statusCode());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        } finally {
            for (SseClient c : open) {
                c.close();
            }
        }
        assertTrue(JobClient.eventually(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
            try (SseClient again = new SseClient(talkreel.stack().api() + "/api/events")) {
                return again.response.statusCode() == 200;
            }
        }), "a closed stream frees its place");
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(talkreel.stack().api() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
