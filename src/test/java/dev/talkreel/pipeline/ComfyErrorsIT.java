package dev.talkreel.pipeline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.emulator.CallLog;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.comfyui.ComfyUiEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What ComfyUI refuses reaches the job record in ComfyUI's own words (docs/SERVICES.md §1.7): a missing model fails
 * the portrait at once naming the file; a 200 whose node_errors hit the output node fails and drops the prompt
 * ComfyUI would otherwise render for nobody; node_errors elsewhere end in a portrait and a recorded warning.
 */
class ComfyErrorsIT {
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());

    private final HttpClient http = HttpClient.newHttpClient();

    private ComfyUiEmulator comfy() {
        return talkreel.emulators().comfyui;
    }

    private static int prompts(CallLog calls) {
        return calls.count("POST /prompt") + calls.count("POST /api/prompt");
    }

    @Test
    void aMissingModelFailsThePortraitAtOnceNamingTheFile() throws Exception {
        comfy().behaviour().failNext("prompt", Fault.MISSING_MODEL, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "No models on this server."));

        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);

        assertEquals("failed", end.path("status").asText(), end.toString());
        JsonNode error = end.path("steps").path("portrait").path("error");
        assertEquals("StepFailedException", error.path("error_class").asText(), error.toString());
        String message = error.path("message").asText();
        assertTrue(message.contains("node 37 (UNETLoader) input unet_name"), message);
        assertTrue(message.contains("'wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors' not in []"), message);
        assertFalse(message.contains("Prompt outputs failed validation"), message);
        assertEquals(1, prompts(comfy().calls()), "a 400 is not retried");
        System.out.println("missing model: " + message);
    }

    @Test
    void nodeErrorsOnTheOutputNodeFailTheJobAndDropThePrompt() throws Exception {
        // the valid output (a preview) renders slowly: the drop must find it queued or running
        comfy().behaviour().latency("execute", Duration.ofSeconds(5));
        comfy().behaviour().failNext("prompt", Fault.OUTPUT_NODE_ERRORS, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "A render for nobody."));

        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);

        assertEquals("failed", end.path("status").asText(), end.toString());
        JsonNode portrait = end.path("steps").path("portrait");
        String message = portrait.path("error").path("message").asText();
        assertTrue(message.contains("output node 49"), message);
        assertTrue(message.contains("node 49 (SaveImage) input images said: Required input is missing"), message);
        String promptId = portrait.path("task_id").asText();
        assertFalse(promptId.isBlank(), "the prompt id was stored before failing: " + portrait);
        assertEquals(1, prompts(comfy().calls()), "not retried");
        await("talkreel drops prompt " + promptId).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> comfy().calls().count("POST /queue") + comfy().calls().count("POST /api/queue") >= 1
                        && comfy().calls().count("POST /interrupt") + comfy().calls().count("POST /api/interrupt") >= 1);
        // dropped for real: gone from the queue, and never a success in the history (interrupted, or never started)
        await("prompt " + promptId + " leaves the queue").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).until(() -> !get("/queue").contains(promptId));
        JsonNode history = JobClient.JSON.readTree(get("/history/" + promptId)).path(promptId);
        assertFalse("success".equals(history.path("status").path("status_str").asText()), history.toString());
        System.out.println("200 + node_errors on the output: " + message + "; prompt " + promptId + " dropped, "
                + "history: " + (history.isMissingNode() ? "none (deleted while queued)"
                : history.path("status").path("messages").toString()));
    }

    @Test
    void nodeErrorsElsewhereEndDoneWithAWarning() throws Exception {
        comfy().behaviour().failNext("prompt", Fault.NODE_ERRORS, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "A spare output is broken."));

        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);

        assertEquals("done", end.path("status").asText(), end.toString());
        JsonNode portrait = end.path("steps").path("portrait");
        String warning = portrait.path("details").path("comfyui_warning").asText();
        assertTrue(warning.contains("node 9001 (SaveImage) input images said: Return type mismatch"), portrait.toString());
        assertTrue(Files.isRegularFile(talkreel.shared().resolve(end.path("result").path("video").asText())));
        System.out.println("200 + node_errors elsewhere: done, warning: " + warning);
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(comfy().baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
