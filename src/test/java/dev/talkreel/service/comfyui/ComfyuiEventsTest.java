package dev.talkreel.service.comfyui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Json;
import dev.talkreel.emulator.comfyui.ComfyUiEmulator;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The websocket events bean against the ComfyUI emulator's real socket on 127.0.0.1. */
class ComfyuiEventsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    /** Longer than any test waits: a pause that ends is ended by an event, a drop or a stop, never by this. */
    private static final long SAFETY_MS = 20_000;
    private static final long POLL_MS = 150;

    @TempDir
    Path tempDir;
    private ComfyUiEmulator comfy;
    private ComfyuiEvents events;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        comfy = new ComfyUiEmulator(new GpuMeter(), tempDir.resolve("output")).start("127.0.0.1", 0);
        comfy.behaviour().latency("execute", Duration.ofMillis(600));
        events = events(comfy.baseUrl());
        events.start();
        await("socket open").atMost(DEADLINE).until(events::connected);
    }

    @AfterEach
    void stop() {
        events.stop();
        comfy.close();
    }

    @Test
    void aPauseEndsWhenThePromptEndsWithItsHistoryWrittenAndItsProgress() throws Exception {
        String id = submit(1);
        long start = System.nanoTime();
        Map<String, Object> facts = events.pause(id, null, POLL_MS, SAFETY_MS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(ms < SAFETY_MS / 2, "ended by the event, after " + ms + " ms");
        assertTrue(ms >= 300, "not before the render (600 ms) ended: " + ms + " ms");
        assertTrue(history(id).has(id), "history is written when the pause ends");
        assertEquals("30/30", facts.get("progress"), "the sampler's last step");
        // told once: the next pause of the same prompt waits its whole interval (no busy loop)
        start = System.nanoTime();
        events.pause(id, null, POLL_MS, SAFETY_MS);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(POLL_MS) - 5_000_000);
    }

    @Test
    void aPromptThatEndedBeforeItsPauseEndsThePauseAtOnce() throws Exception {
        comfy.behaviour().latency("execute", Duration.ZERO);
        String id = submit(2);
        await("rendered").atMost(DEADLINE).until(() -> history(id).has(id));
        long start = System.nanoTime();
        events.pause(id, null, POLL_MS, SAFETY_MS);
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(POLL_MS), "at once");
    }

    @Test
    void aResumedPromptLooksAgainSoonAndNoPauseOutlastsTheStepsDeadline() {
        events.resumed("carried-on");
        long start = System.nanoTime();
        events.pause("carried-on", null, POLL_MS, SAFETY_MS);
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(SAFETY_MS / 2), "not the safety net");

        start = System.nanoTime();
        events.pause("running", null, POLL_MS, 200);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 195 && ms < SAFETY_MS / 2, "200 ms left of the deadline: " + ms + " ms");
    }

    @Test
    void aDroppedSocketFallsBackToThePollIntervalAndAReconnectResumesEvents() throws Exception {
        // the socket is closed in place of the next event, and the next two handshakes are refused
        comfy.behaviour().failNext("ws", Fault.DROP, 2).failNext("ws-events", Fault.DROP, 1);
        comfy.behaviour().latency("execute", Duration.ofMillis(3000));
        String id = submit(3);
        await("socket dropped").atMost(DEADLINE).until(() -> !events.connected());

        long start = System.nanoTime();
        events.pause(id, null, POLL_MS, SAFETY_MS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 2_000, "while down, a pause is the poll interval, not the safety net: " + ms + " ms");

        await("socket open again").atMost(DEADLINE).until(events::connected);
        assertEquals(null, comfy.behaviour().takeFault("ws"), "both refusals were met: the back-off went on");
        // the events of the running prompt reach the new socket (same client id): its pause ends with it
        start = System.nanoTime();
        while (!history(id).has(id) && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
            events.pause(id, null, SAFETY_MS, SAFETY_MS);
        }
        assertTrue(history(id).has(id), "ended by ComfyUI's event after the reconnect");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aSocketThatNeverOpensLeavesPlainPollingAndAStopEndsEveryPause() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ComfyuiEvents nowhere = events("http://127.0.0.1:" + closedPort);
        nowhere.start();
        try {
            assertFalse(nowhere.connected());
            long start = System.nanoTime();
            nowhere.pause("p", null, POLL_MS, SAFETY_MS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= POLL_MS - 5 && ms < SAFETY_MS / 2, ms + " ms");

            CompletableFuture<Map<String, Object>> waiting = CompletableFuture.supplyAsync(
                    () -> events.pause("never-ends", null, SAFETY_MS, SAFETY_MS));
            await().atMost(DEADLINE).pollDelay(Duration.ofMillis(50)).until(() -> true);
            events.stopWaits();
            waiting.get(5, TimeUnit.SECONDS);
        } finally {
            nowhere.stop();
        }
    }

    @Test
    void theSocketAddressComesFromComfyuisUrlAndTheIdIsTheInstallsOwn(@TempDir Path one, @TempDir Path two)
            throws Exception {
        assertEquals(URI.create("ws://gpu:8188/ws?clientId=c1"), ComfyuiEvents.socketUri("http://gpu:8188/", "c1"));
        assertEquals(URI.create("wss://gpu/x/ws?clientId=c1"), ComfyuiEvents.socketUri("https://gpu/x", "c1"));
        String id = ComfyuiEvents.clientIdFor(one);
        assertTrue(id.matches("talkreel-[0-9a-f]{12}"), id);
        assertEquals(id, ComfyuiEvents.clientIdFor(one), "the same after a restart");
        assertFalse(id.equals(ComfyuiEvents.clientIdFor(two)), "another install, another id");
    }

    private static ComfyuiEvents events(String url) {
        return new ComfyuiEvents(url, "events-test", new ComfyuiEvents.Settings(SAFETY_MS, 2000, 50, 200));
    }

    private String submit(long seed) throws Exception {
        ObjectNode wf;
        try (InputStream in = getClass().getResourceAsStream("/comfyui/wan-portrait-api-format.json")) {
            wf = (ObjectNode) Json.MAPPER.readTree(in);
        }
        ((ObjectNode) wf.at("/3/inputs")).put("seed", seed);
        ObjectNode body = Json.object().put("client_id", events.clientId());
        body.set("prompt", wf);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(comfy.baseUrl() + "/prompt"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body()).get("prompt_id").asText();
    }

    private JsonNode history(String id) throws Exception {
        return Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(comfy.baseUrl() + "/history/" + id))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
