package dev.talkreel.emulator.comfyui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** One emulated ComfyUI on loopback per test, its output folder, its GPU meter, and the HTTP helpers to talk to it. */
abstract class ComfyUiEmulatorFixture {
    static final Duration DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path tempDir;
    Path outputDir;
    GpuMeter gpu;
    ComfyUiEmulator comfy;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        outputDir = tempDir.resolve("output");
        gpu = new GpuMeter();
        comfy = new ComfyUiEmulator(gpu, outputDir).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        comfy.close();
    }

    void assertGuard(int status, String path) throws Exception {
        HttpResponse<byte[]> r = getBytes(path);
        assertEquals(status, r.statusCode(), path);
        assertEquals(0, r.body().length, path);
    }

    JsonNode awaitHistory(String id) throws Exception {
        return await("history for " + id).atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> getJson("/history/" + URLEncoder.encode(id, StandardCharsets.UTF_8)), h -> h.has(id))
                .get(id);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void awaitTrue(Check check) throws Exception {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(20)).until(check::ok);
    }

    JsonNode postOk(JsonNode body) throws Exception {
        return json(expect(200, post("/prompt", body.toString())));
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> getString(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode getJson(String path) throws Exception {
        return json(expect(200, getString(path)));
    }

    URI uri(String path) {
        return URI.create(comfy.baseUrl() + path);
    }

    static HttpResponse<String> expect(int status, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        return r;
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    static List<String> events(JsonNode messages) {
        List<String> names = new ArrayList<>();
        messages.forEach(m -> names.add(m.get(0).asText()));
        return names;
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Collects the text frames of the websocket as JSON. */
    record Collector(BlockingQueue<JsonNode> frames) implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            try {
                frames.add(Json.MAPPER.readTree(data.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            ws.request(1);
            return null;
        }
    }
}
