package dev.talkreel.pipeline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.comfyui.ComfyUiEmulator;
import dev.talkreel.service.comfyui.ComfyuiEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ComfyUI's websocket ends the portrait's poll pause (issue 9, item 5): with the socket, the portrait is fetched
 * right after the render with one /history request; with the socket dropped mid-render, polling still ends the job;
 * once the socket opens again, events are used again.
 */
class ComfyWebSocketIT {
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final Duration RENDER = Duration.ofSeconds(4);
    private static final String HISTORY = "GET /history/:prompt_id";

    /** Polls every second without the socket, so a 4 s render costs several /history requests; a minute with it. */
    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of("talkreel.comfyui.poll-interval-ms", "1000",
            "talkreel.comfyui.ws-safety-poll-ms", "60000", "talkreel.comfyui.ws-reconnect-min-ms", "100",
            "talkreel.comfyui.ws-reconnect-max-ms", "400"));

    private final HttpClient http = HttpClient.newHttpClient();

    private static ComfyUiEmulator comfy() {
        return talkreel.emulators().comfyui;
    }

    private static ComfyuiEvents events() {
        return talkreel.stack().camel().getRegistry().lookupByNameAndType("comfyuiEvents", ComfyuiEvents.class);
    }

    @BeforeEach
    void socketOpen() {
        comfy().behaviour().latency("execute", RENDER);
        await("talkreel's websocket open").atMost(Duration.ofSeconds(20)).until(() -> events().connected());
    }

    @Test
    void withTheSocketThePortraitEndsRightAfterTheRenderWithOneHistoryRequest() throws Exception {
        String id = talkreel.client().submit(JobClient.job(URL, "Finished the moment ComfyUI says so."));
        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);

        assertEquals("done", end.path("status").asText(), end.toString());
        JsonNode portrait = end.path("steps").path("portrait");
        System.out.println("with the socket: " + comfy().calls().snapshot() + " portrait: " + portrait);
        assertEquals(1, comfy().calls().count(HISTORY), "one poll, after the render ended: " + comfy().calls().snapshot());
        long lateMs = Duration.between(successAt(portrait.path("task_id").asText()),
                Instant.parse(portrait.path("ended").asText())).toMillis();
        assertTrue(lateMs >= 0 && lateMs < 2000, "the step ended " + lateMs + " ms after execution_success");
        assertTrue(portrait.toString().contains("\"progress\":\"30/30\""), "the sampler's progress: " + portrait);
    }

    @Test
    void aSocketDroppedMidRenderLeavesPollingAndAReconnectResumesEvents() throws Exception {
        // every reopening is refused until the fault is lifted
        comfy().behaviour().failNext("ws", Fault.DROP, 100_000);
        String id = talkreel.client().submit(JobClient.job(URL, "The socket drops while this renders."));
        await("render started").atMost(DEADLINE).until(() -> comfy().calls().journal().stream()
                .anyMatch(w -> w.key().equals("execute talkreel/" + id + "/portrait")));
        comfy().behaviour().failNext("ws-events", Fault.DROP, 1);
        await("socket dropped").atMost(DEADLINE).until(() -> !events().connected());

        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);
        assertEquals("done", end.path("status").asText(), end.toString());
        int polled = comfy().calls().count(HISTORY);
        System.out.println("socket dropped: " + comfy().calls().snapshot());
        assertTrue(polled >= 2, "polled /history while the socket was down: " + polled);

        // the fault is lifted: talkreel opens the socket again and the next portrait ends by its event
        comfy().behaviour().reset();
        comfy().behaviour().latency("execute", RENDER);
        await("socket open again").atMost(Duration.ofSeconds(20)).until(() -> events().connected());
        comfy().calls().reset();
        String next = talkreel.client().submit(JobClient.job(URL, "And the socket is back."));
        JsonNode nextEnd = talkreel.client().waitForEnd(next, DEADLINE);
        assertEquals("done", nextEnd.path("status").asText(), nextEnd.toString());
        assertEquals(1, comfy().calls().count(HISTORY), "events again: " + comfy().calls().snapshot());
    }

    /** When the emulator sent execution_success, from the prompt's history entry (its status messages). */
    private Instant successAt(String promptId) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(comfy().baseUrl() + "/history/" + promptId))
                .build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode m : JobClient.JSON.readTree(r.body()).path(promptId).path("status").path("messages")) {
            if (m.path(0).asText().equals("execution_success")) {
                return Instant.ofEpochMilli(m.path(1).path("timestamp").asLong());
            }
        }
        throw new AssertionError("no execution_success in " + r.body());
    }
}
