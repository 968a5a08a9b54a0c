package dev.talkreel.emulator.yttools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Json;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the yttools emulator over real HTTP, as the orchestrator does. */
class YttoolsEmulatorTest {
    private static final String VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path workDir;
    @TempDir
    Path downloads;
    private static YttoolsEmulator emulator;

    @BeforeAll
    static void start() {
        emulator = new YttoolsEmulator(new GpuMeter(), workDir);
        emulator.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @BeforeEach
    void reset() {
        emulator.behaviour().reset();
        emulator.calls().reset();
    }

    @Test
    void healthSaysHealthy() throws Exception {
        HttpResponse<String> r = get("/api/health");
        assertEquals(200, r.statusCode());
        assertEquals(Map.of("status", "healthy"), Json.MAPPER.readValue(r.body(), Map.class));
        assertEquals(1, emulator.calls().count("GET /api/health"));
    }

    @Test
    void mp3SegmentLastsTheRequestedTime() throws Exception {
        String id = submit(Map.of("url", VIDEO, "start_time", 40, "end_time", 70, "audio_format", "mp3",
                "enable_whisper", false));
        JsonNode done = awaitEnd(id);
        assertEquals("completed", done.get("status").asText());
        assertEquals(100, done.get("progress").asInt());
        assertTrue(done.get("error").isNull());
        assertEquals(id, done.get("task_id").asText());

        HttpResponse<Path> audio = download(id);
        assertEquals(200, audio.statusCode());
        assertEquals("audio/mpeg", audio.headers().firstValue("Content-Type").orElse(""));
        assertEquals("attachment; filename=\"" + id + ".mp3\"",
                audio.headers().firstValue("Content-Disposition").orElse(""));
        MediaInfo info = MediaProbe.probe(audio.body());
        assertEquals(30.0, info.durationSeconds(), 0.05);
        assertEquals("mp3", info.audio().codecName());
        assertEquals(24000, info.audio().sampleRate());
        assertEquals(1, info.audio().channels());
        // written atomically: the final file is there and no temporary one is left behind
        assertTrue(Files.isRegularFile(workDir.resolve(id + ".mp3")));
        assertFalse(Files.exists(workDir.resolve(id + ".mp3.part")));
        assertEquals(1, emulator.calls().count("POST /api/download"));
        assertEquals(1, emulator.calls().count("GET /api/download/:task_id/audio"));
        assertTrue(emulator.calls().count("GET /api/status/:task_id") >= 1);
    }

    @Test
    void wavSegmentIsExact() throws Exception {
        String id = submit(Map.of("url", "https://youtu.be/dQw4w9WgXcQ", "start_time", 10, "end_time", 22.5,
                "audio_format", "wav"));
        assertEquals("completed", awaitEnd(id).get("status").asText());
        HttpResponse<Path> audio = download(id);
        assertEquals("audio/wav", audio.headers().firstValue("Content-Type").orElse(""));
        MediaInfo info = MediaProbe.probe(audio.body());
        assertEquals(12.5, info.durationSeconds(), 0.001);
        assertEquals("pcm_s16le", info.audio().codecName());
        assertEquals(24000, info.audio().sampleRate());
    }

    @Test
    void defaultsToFortyToSeventySeconds() throws Exception {
        String id = submit(Map.of("url", "http://m.youtube.com/shorts/dQw4w9WgXcQ"));
        assertEquals("completed", awaitEnd(id).get("status").asText());
        assertEquals(30.0, MediaProbe.probe(download(id).body()).durationSeconds(), 0.05);
    }

    @Test
    void validatesTheBodyLikeFastApi() throws Exception {
        HttpResponse<String> missing = post(Map.of("start_time", 1));
        assertEquals(422, missing.statusCode());
        JsonNode entry = Json.MAPPER.readTree(missing.body()).get("detail").get(0);
        assertEquals("missing", entry.get("type").asText());
        assertEquals("[\"body\",\"url\"]", entry.get("loc").toString());
        assertEquals("Field required", entry.get("msg").asText());
        assertEquals(1, entry.get("input").get("start_time").asInt());

        HttpResponse<String> notJson = send(HttpRequest.newBuilder(uri("/api/download"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("url=x")));
        assertEquals(422, notJson.statusCode());
        assertEquals("json_invalid", Json.MAPPER.readTree(notJson.body()).get("detail").get(0).get("type").asText());

        HttpResponse<String> badNumber = post(Map.of("url", VIDEO, "start_time", "soon"));
        assertEquals(422, badNumber.statusCode());
        JsonNode number = Json.MAPPER.readTree(badNumber.body()).get("detail").get(0);
        assertEquals("float_parsing", number.get("type").asText());
        assertEquals("[\"body\",\"start_time\"]", number.get("loc").toString());
    }

    @Test
    void rejectsWhatTheAppRejects() throws Exception {
        assertBadRequest(Map.of("url", "https://vimeo.com/123456"), "vimeo.com");
        assertBadRequest(Map.of("url", "https://www.youtube.com/watch?v=short"), "Invalid YouTube URL");
        assertBadRequest(Map.of("url", VIDEO, "start_time", -1, "end_time", 10), "-1");
        assertBadRequest(Map.of("url", VIDEO, "start_time", 50, "end_time", 45), "45");
        assertBadRequest(Map.of("url", VIDEO, "start_time", 0, "end_time", 61), "61");
        assertBadRequest(Map.of("url", VIDEO, "audio_format", "ogg"), "ogg");
        assertEquals(200, post(Map.of("url", "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ", "start_time",
                0, "end_time", 60)).statusCode());
    }

    @Test
    void unknownTasksAreNotFound() throws Exception {
        for (String path : new String[] {"/api/status/nope", "/api/download/nope/audio"}) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode());
            assertEquals(Map.of("detail", "Task not found"), Json.MAPPER.readValue(r.body(), Map.class));
        }
    }

    @Test
    void progressRisesWithTheTaskTimeAndTheFirstFetchTellsHowSoonItsEndWasNoticed() throws Exception {
        emulator.behaviour().latency("task", Duration.ofMillis(2000));
        String id = submit(Map.of("url", VIDEO, "start_time", 0, "end_time", 2));
        long start = System.nanoTime();
        int last = 0;
        int readings = 0;
        JsonNode s = status(id);
        while (s.get("status").asText().equals("processing")) {
            int progress = s.get("progress").asInt();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(progress >= last && progress <= 99, "never backwards, 100 only when done: " + progress);
            // by time since a worker took it (at once here): never ahead of the time spent
            assertTrue(progress <= 100 * (elapsedMs + 300) / 2000, progress + "% after " + elapsedMs + " ms");
            last = progress;
            readings++;
            s = awaitChange(id, progress);
        }
        assertTrue(readings >= 3 && last >= 50, readings + " readings, last " + last + "%");
        assertEquals(null, emulator.noticedAfter(id), "not fetched yet");
        assertEquals(200, download(id).statusCode());
        assertTrue(emulator.noticedAfter(id).toMillis() >= 0);
    }

    /** The task's status once its progress moved past {@code progress} or it ended. */
    private JsonNode awaitChange(String id, int progress) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> status(id),
                n -> !n.get("status").asText().equals("processing") || n.get("progress").asInt() > progress + 20);
    }

    @Test
    void taskProcessesForItsLatency() throws Exception {
        emulator.behaviour().latency("task", Duration.ofMillis(1500));
        long start = System.nanoTime();
        String id = submit(Map.of("url", VIDEO, "start_time", 0, "end_time", 2));
        JsonNode early = status(id);
        assertEquals("processing", early.get("status").asText());
        int progress = early.get("progress").asInt();
        assertTrue(progress >= 0 && progress < 100, "progress " + progress);
        assertTrue(early.get("error").isNull());
        HttpResponse<String> notYet = get("/api/download/" + id + "/audio");
        assertEquals(400, notYet.statusCode());
        assertEquals(Map.of("detail", "Task not completed"), Json.MAPPER.readValue(notYet.body(), Map.class));

        assertEquals("completed", awaitEnd(id).get("status").asText());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(1500).toNanos());
        assertEquals(200, download(id).statusCode());
    }

    @Test
    void plannedFailureEndsLikeYtDlp() throws Exception {
        emulator.behaviour().failNext("task", Fault.TASK_FAILED, 1);
        String id = submit(Map.of("url", VIDEO));
        JsonNode end = awaitEnd(id);
        assertEquals("failed", end.get("status").asText());
        String error = end.get("error").asText();
        assertTrue(error.startsWith("ERROR: [youtube] dQw4w9WgXcQ: Video unavailable"), error);
        HttpResponse<String> audio = get("/api/download/" + id + "/audio");
        assertEquals(400, audio.statusCode());
        assertEquals(error, Json.MAPPER.readTree(audio.body()).get("detail").asText());
        // the fault was used up: the next task succeeds
        assertEquals("completed", awaitEnd(submit(Map.of("url", VIDEO, "start_time", 0, "end_time", 1)))
                .get("status").asText());
    }

    @Test
    void genericFaults() throws Exception {
        emulator.behaviour().failNext("download", Fault.ERROR_500, 1);
        HttpResponse<String> error = post(Map.of("url", VIDEO));
        assertEquals(500, error.statusCode());
        assertTrue(Json.MAPPER.readTree(error.body()).get("detail").isTextual());

        emulator.behaviour().failNext("status", Fault.MALFORMED, 1);
        HttpResponse<String> malformed = get("/api/status/any");
        assertEquals(200, malformed.statusCode());
        assertThrows(IOException.class, () -> Json.MAPPER.readTree(malformed.body()));

        // a POST: the JDK client silently retries an idempotent GET whose connection closed before any byte came
        emulator.behaviour().failNext("download", Fault.DROP, 1);
        assertThrows(IOException.class, () -> post(Map.of("url", VIDEO)));

        emulator.behaviour().failNext("health", Fault.HANG, 1);
        assertThrows(HttpTimeoutException.class, () -> send(HttpRequest.newBuilder(uri("/api/health"))
                .timeout(Duration.ofSeconds(1)).GET()));

        assertEquals(200, get("/api/health").statusCode());
        assertEquals(2, emulator.calls().count("GET /api/health"));
        assertEquals(2, emulator.calls().count("POST /api/download"));
        assertEquals(1, emulator.calls().count("GET /api/status/:task_id"));
    }

    private void assertBadRequest(Map<String, Object> body, String mentioned) throws Exception {
        HttpResponse<String> r = post(body);
        assertEquals(400, r.statusCode(), r.body());
        String detail = Json.MAPPER.readTree(r.body()).get("detail").asText();
        assertTrue(detail.contains(mentioned), detail);
    }

    private String submit(Map<String, Object> body) throws Exception {
        HttpResponse<String> r = post(body);
        assertEquals(200, r.statusCode(), r.body());
        String id = Json.MAPPER.readTree(r.body()).get("task_id").asText();
        assertFalse(id.isBlank());
        return id;
    }

    /** Polls the task's status until it leaves "processing", within a deadline. */
    private JsonNode awaitEnd(String id) throws Exception {
        return await("task " + id + " leaves processing").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).until(() -> status(id),
                        s -> !s.get("status").asText().equals("processing"));
    }

    private JsonNode status(String id) throws Exception {
        HttpResponse<String> r = get("/api/status/" + id);
        assertEquals(200, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    private HttpResponse<Path> download(String id) throws Exception {
        HttpResponse<Path> r = HTTP.send(HttpRequest.newBuilder(uri("/api/download/" + id + "/audio")).GET().build(),
                HttpResponse.BodyHandlers.ofFile(downloads.resolve(id + ".audio")));
        assertEquals(200, r.statusCode());
        return r;
    }

    private HttpResponse<String> post(Map<String, Object> body) throws Exception {
        return send(HttpRequest.newBuilder(uri("/api/download")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create(emulator.baseUrl() + path);
    }
}
