package dev.talkreel.emulator.comfyui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.Json;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ComfyUiEmulatorTest extends ComfyUiEmulatorFixture {
    private static final String TROUBLE = "500 Internal Server Error\n\nServer got itself in trouble";

    @Test
    void runsTheWanWorkflowAndSavesPngsWithCountersAndCache() throws Exception {
        JsonNode reply = postOk(Json.object().set("prompt", workflow(1, "a smiling woman")));
        String id = reply.get("prompt_id").asText();
        assertEquals(id, UUID.fromString(id).toString());
        assertEquals(0, reply.get("number").asInt());
        assertEquals(Json.object(), reply.get("node_errors"));

        JsonNode entry = awaitHistory(id);
        assertEquals(5, entry.get("prompt").size());
        assertEquals(id, entry.get("prompt").get(1).asText());
        assertEquals("49", entry.get("prompt").get(4).get(0).asText());
        JsonNode image = entry.at("/outputs/49/images/0");
        assertEquals("portrait_00001_.png", image.get("filename").asText());
        assertEquals("wan-portraits", image.get("subfolder").asText());
        assertEquals("output", image.get("type").asText());
        assertEquals("success", entry.at("/status/status_str").asText());
        assertTrue(entry.at("/status/completed").asBoolean());
        assertEquals(List.of("execution_start", "execution_cached", "execution_success"),
                events(entry.at("/status/messages")));
        assertEquals("49", entry.at("/meta/49/real_node_id").asText());
        assertTrue(entry.at("/meta/49/parent_node").isNull());

        Path png = outputDir.resolve("wan-portraits/portrait_00001_.png");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1024, img.getWidth());
        assertEquals(576, img.getHeight());

        HttpResponse<byte[]> view = getBytes("/view?filename=portrait_00001_.png&subfolder=wan-portraits&type=output");
        assertEquals(200, view.statusCode());
        assertEquals("image/png", view.headers().firstValue("Content-Type").orElse(""));
        assertEquals("filename=\"portrait_00001_.png\"", view.headers().firstValue("Content-Disposition").orElse(""));
        assertEquals("nosniff", view.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertArrayEquals(Files.readAllBytes(png), view.body());

        String second = postOk(Json.object().set("prompt", workflow(2, "a smiling woman"))).get("prompt_id").asText();
        assertEquals("portrait_00002_.png", awaitHistory(second).at("/outputs/49/images/0/filename").asText());

        // the same prompt again: everything cached, the history names the earlier file, nothing new is written
        String third = postOk(Json.object().set("prompt", workflow(2, "a smiling woman"))).get("prompt_id").asText();
        JsonNode cached = awaitHistory(third);
        assertEquals("portrait_00002_.png", cached.at("/outputs/49/images/0/filename").asText());
        assertEquals(10, cached.at("/status/messages/1/1/nodes").size());
        assertFalse(Files.exists(outputDir.resolve("wan-portraits/portrait_00003_.png")));
        try (var files = Files.list(outputDir.resolve("wan-portraits"))) {
            assertEquals(2, files.count());
        }

        JsonNode all = getJson("/history?max_items=2");
        assertEquals(List.of(second, third), fieldNames(all));
        assertEquals(3, fieldNames(getJson("/api/history")).size());
        assertEquals(3, gpu.runs());
        assertEquals(1, gpu.maxConcurrent());
    }

    @Test
    void rejectsBadPromptsWithComfyUiShapes() throws Exception {
        HttpResponse<String> noPrompt = post("/prompt", "{\"client_id\":\"x\"}");
        assertEquals(400, noPrompt.statusCode());
        assertEquals(Json.MAPPER.readTree("{\"error\":{\"type\":\"no_prompt\",\"message\":\"No prompt provided\","
                + "\"details\":\"No prompt provided\",\"extra_info\":{}},\"node_errors\":{}}"), json(noPrompt));

        ObjectNode unknown = workflow(1, "x");
        ((ObjectNode) unknown.get("8")).put("class_type", "WanMagicDecode");
        JsonNode unknownReply = json(expect(400, post("/prompt", Json.object().set("prompt", unknown).toString())));
        assertEquals("missing_node_type", unknownReply.at("/error/type").asText());
        assertEquals("Node 'WanMagicDecode' not found. The custom node may not be installed.",
                unknownReply.at("/error/message").asText());
        assertEquals("Node ID '#8'", unknownReply.at("/error/details").asText());
        assertEquals("8", unknownReply.at("/error/extra_info/node_id").asText());
        assertEquals("WanMagicDecode", unknownReply.at("/error/extra_info/class_type").asText());
        assertEquals(Json.object(), unknownReply.get("node_errors"));

        ObjectNode noClass = workflow(1, "x");
        ((ObjectNode) noClass.get("8")).remove("class_type");
        JsonNode noClassReply = json(expect(400, post("/prompt", Json.object().set("prompt", noClass).toString())));
        assertEquals("missing_node_type", noClassReply.at("/error/type").asText());
        assertTrue(noClassReply.at("/error/message").asText().contains("has no class_type"));

        ObjectNode noOutput = workflow(1, "x");
        noOutput.remove("49");
        JsonNode noOutputReply = json(expect(400, post("/prompt", Json.object().set("prompt", noOutput).toString())));
        assertEquals("prompt_no_outputs", noOutputReply.at("/error/type").asText());
        assertEquals("Prompt has no outputs", noOutputReply.at("/error/message").asText());

        ObjectNode badModel = workflow(1, "x");
        ((ObjectNode) badModel.at("/37/inputs")).put("unet_name", "x.safetensors");
        JsonNode badModelReply = json(expect(400, post("/prompt", Json.object().set("prompt", badModel).toString())));
        assertEquals("prompt_outputs_failed_validation", badModelReply.at("/error/type").asText());
        assertEquals("Prompt outputs failed validation", badModelReply.at("/error/message").asText());
        JsonNode unetError = badModelReply.at("/node_errors/37");
        assertEquals(List.of("37"), fieldNames(badModelReply.get("node_errors")));
        assertEquals("UNETLoader", unetError.get("class_type").asText());
        assertEquals("[\"49\"]", unetError.get("dependent_outputs").toString());
        JsonNode reason = unetError.at("/errors/0");
        assertEquals("value_not_in_list", reason.get("type").asText());
        assertEquals("Value not in list", reason.get("message").asText());
        // one server with the Wan and the Flux files, sorted as folder_paths lists them
        assertEquals("unet_name: 'x.safetensors' not in ['flux1-dev.safetensors', "
                + "'split_files/diffusion_models/wan2.2_t2v_high_noise_14B_fp8_"
                + "scaled.safetensors', 'split_files/diffusion_models/wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors', "
                + "'wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors', 'wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors']",
                reason.get("details").asText());
        assertEquals("unet_name", reason.at("/extra_info/input_name").asText());
        assertEquals("x.safetensors", reason.at("/extra_info/received_value").asText());
        assertEquals(5, reason.at("/extra_info/input_config/0").size());
        // only the output node's own reasons reach error.details, so an upstream failure leaves it empty (as ComfyUI)
        assertEquals("", badModelReply.at("/error/details").asText());

        ObjectNode dangling = workflow(1, "x");
        ((ObjectNode) dangling.at("/3/inputs")).putArray("latent_image").add("99").add(0);
        JsonNode danglingReply = json(expect(400, post("/prompt", Json.object().set("prompt", dangling).toString())));
        assertEquals("prompt_outputs_failed_validation", danglingReply.at("/error/type").asText());
        JsonNode inner = danglingReply.at("/node_errors/3/errors/0");
        assertEquals("exception_during_inner_validation", inner.get("type").asText());
        assertEquals("'99'", inner.get("details").asText());
        assertEquals("KeyError", inner.at("/extra_info/exception_type").asText());

        assertEquals(TROUBLE, expect(500, post("/prompt", "this is not json")).body());
        assertEquals(TROUBLE, expect(500, post("/prompt", "{\"prompt\": [1, 2]}")).body());

        // every POST with a JSON body used up a number, failed ones included; a client prompt_id is honoured
        String ownId = UUID.randomUUID().toString();
        JsonNode ok = postOk(Json.object().put("prompt_id", ownId).set("prompt", workflow(1, "x")));
        assertEquals(ownId, ok.get("prompt_id").asText());
        assertEquals(7, ok.get("number").asInt());
        awaitHistory(ownId);
    }

    @Test
    void viewGuardsAnswerWithEmptyBodies() throws Exception {
        Files.createDirectories(outputDir);
        Files.writeString(tempDir.resolve("secret.png"), "secret");
        assertGuard(404, "/view");
        assertGuard(400, "/view?filename=%2Fetc%2Fpasswd");
        assertGuard(400, "/view?filename=..%2Fsecret.png");
        assertGuard(400, "/view?filename=a.png&type=models");
        assertGuard(403, "/view?filename=secret.png&subfolder=..");
        assertGuard(403, "/api/view?filename=secret.png&subfolder=%2Ftmp");
        assertGuard(404, "/view?filename=missing.png&type=output");
    }

    @Test
    void executeLatencyKeepsHistoryEmptyWhileRunning() throws Exception {
        comfy.behaviour().latency("execute", Duration.ofMillis(1500));
        long started = System.nanoTime();
        String first = postOk(Json.object().set("prompt", workflow(1, "a"))).get("prompt_id").asText();
        String second = postOk(Json.object().set("prompt", workflow(2, "a"))).get("prompt_id").asText();
        assertEquals(Json.object(), getJson("/history/" + first));

        awaitTrue(() -> getJson("/queue").get("queue_running").size() == 1);
        JsonNode queue = getJson("/queue");
        assertEquals(5, queue.at("/queue_running/0").size());
        assertEquals(first, queue.at("/queue_running/0/1").asText());
        assertEquals(second, queue.at("/queue_pending/0/1").asText());
        assertEquals(2, getJson("/prompt").at("/exec_info/queue_remaining").asInt());
        JsonNode busyStats = getJson("/system_stats");
        assertEquals("0.3.67", busyStats.at("/system/comfyui_version").asText());
        assertEquals(32L << 30, busyStats.at("/devices/0/vram_total").asLong(), "the shared emulated device");
        assertEquals("cuda:0 NVIDIA GeForce RTX 5090 : cudaMallocAsync", busyStats.at("/devices/0/name").asText());
        long busyFree = busyStats.at("/devices/0/vram_free").asLong();

        awaitHistory(first);
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(1500).toNanos());
        assertEquals(Json.object(), getJson("/history/" + second));
        awaitHistory(second);
        assertEquals(0, getJson("/api/prompt").at("/exec_info/queue_remaining").asInt());
        assertTrue(busyFree >= (32L - 20) << 30, "at most Wan 2.2 on the device: " + busyFree);
        assertEquals((32L - 20) << 30, getJson("/system_stats").at("/devices/0/vram_free").asLong(),
                "Wan 2.2 loaded for the run and kept after it");
        assertEquals(200, post("/free", "{\"unload_models\":true,\"free_memory\":true}").statusCode());
        assertEquals(32L << 30, getJson("/system_stats").at("/devices/0/vram_free").asLong(), "/free let go of it");
        assertEquals(1, gpu.maxConcurrent());
    }

    @Test
    void websocketStreamsEventsInComfyUiOrder() throws Exception {
        BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + comfy.port()
                + "/ws?clientId=me"), new Collector(frames)).get(5, TimeUnit.SECONDS);
        try {
            JsonNode hello = frames.poll(5, TimeUnit.SECONDS);
            assertEquals("status", hello.get("type").asText());
            assertEquals("me", hello.at("/data/sid").asText());
            assertEquals(0, hello.at("/data/status/exec_info/queue_remaining").asInt());

            String id = postOk(Json.object().put("client_id", "me").set("prompt", workflow(5, "b")))
                    .get("prompt_id").asText();
            List<String> order = new ArrayList<>();
            JsonNode executed = null;
            while (true) {
                JsonNode frame = frames.poll(10, TimeUnit.SECONDS);
                assertNotNull(frame, "websocket went quiet after " + order);
                String type = frame.get("type").asText();
                order.add(type);
                if (type.equals("executed")) {
                    executed = frame.get("data");
                }
                if (type.equals("executing") && frame.at("/data/node").isNull()) {
                    assertEquals(id, frame.at("/data/prompt_id").asText());
                    assertFalse(getJson("/history/" + id).isEmpty(), "history is written before executing null");
                    break;
                }
            }
            assertEquals("status", order.get(0));
            assertEquals("execution_start", order.get(1));
            assertEquals("execution_cached", order.get(2));
            assertTrue(order.contains("progress"));
            int success = order.indexOf("execution_success");
            assertTrue(success > order.indexOf("executed"));
            assertEquals(List.of("execution_success", "status", "executing"), order.subList(success, order.size()));
            assertEquals("49", executed.get("node").asText());
            assertEquals("portrait_00001_.png", executed.at("/output/images/0/filename").asText());
        } finally {
            ws.abort();
        }
    }

    @Test
    void plannedFaultsEndInExecutionErrors() throws Exception {
        comfy.behaviour().failNext("execute", Fault.EXECUTION_ERROR, 1).failNext("execute", Fault.OOM, 1);
        String failed = postOk(Json.object().set("prompt", workflow(1, "c"))).get("prompt_id").asText();
        String oom = postOk(Json.object().set("prompt", workflow(2, "c"))).get("prompt_id").asText();

        JsonNode error = awaitHistory(failed);
        assertEquals("error", error.at("/status/status_str").asText());
        assertFalse(error.at("/status/completed").asBoolean());
        assertEquals(Json.object(), error.get("outputs"));
        JsonNode messages = error.at("/status/messages");
        JsonNode last = messages.get(messages.size() - 1);
        assertEquals("execution_error", last.get(0).asText());
        JsonNode data = last.get(1);
        assertEquals("3", data.get("node_id").asText());
        assertEquals("KSampler", data.get("node_type").asText());
        assertEquals("RuntimeError", data.get("exception_type").asText());
        for (String field : List.of("prompt_id", "executed", "exception_message", "traceback", "current_inputs",
                "current_outputs", "timestamp")) {
            assertTrue(data.has(field), field);
        }

        JsonNode outOfMemory = awaitHistory(oom).at("/status/messages");
        JsonNode oomData = outOfMemory.get(outOfMemory.size() - 1).get(1);
        assertEquals("torch.OutOfMemoryError", oomData.get("exception_type").asText());
        assertTrue(oomData.get("exception_message").asText().startsWith("Allocation on device"));
        assertFalse(Files.exists(outputDir.resolve("wan-portraits")));
    }

    @Test
    void interruptStopsTheRunningPrompt() throws Exception {
        comfy.behaviour().latency("execute", Duration.ofSeconds(20));
        String id = postOk(Json.object().set("prompt", workflow(1, "d"))).get("prompt_id").asText();
        awaitTrue(() -> getJson("/queue").get("queue_running").size() == 1);
        HttpResponse<String> interrupt = post("/interrupt", "{\"prompt_id\":\"" + id + "\"}");
        assertEquals(200, interrupt.statusCode());
        assertEquals("", interrupt.body());

        JsonNode entry = awaitHistory(id);
        assertEquals("error", entry.at("/status/status_str").asText());
        assertFalse(entry.at("/status/completed").asBoolean());
        assertEquals(Json.object(), entry.get("outputs"));
        JsonNode messages = entry.at("/status/messages");
        assertEquals("execution_interrupted", messages.get(messages.size() - 1).get(0).asText());
        assertEquals("3", messages.get(messages.size() - 1).get(1).get("node_id").asText());
    }

    @Test
    void miscEndpointsAndOriginCheck() throws Exception {
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(uri("/system_stats"))
                .header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, foreign.statusCode());
        assertEquals("", foreign.body());
        HttpResponse<String> same = http.send(HttpRequest.newBuilder(uri("/system_stats"))
                .header("Origin", "http://127.0.0.1:" + comfy.port()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, same.statusCode());

        assertEquals(TROUBLE, expect(500, post("/free", "")).body());
        assertEquals("", expect(200, post("/free", "{\"unload_models\":true,\"free_memory\":true}")).body());
        assertEquals(200, post("/interrupt", "").statusCode());

        comfy.behaviour().latency("execute", Duration.ofSeconds(20));
        String running = postOk(Json.object().set("prompt", workflow(1, "e"))).get("prompt_id").asText();
        String waiting = postOk(Json.object().set("prompt", workflow(2, "e"))).get("prompt_id").asText();
        awaitTrue(() -> getJson("/queue").get("queue_running").size() == 1);
        assertEquals(200, post("/queue", "{\"delete\":[\"" + waiting + "\"]}").statusCode());
        assertEquals(0, getJson("/queue").get("queue_pending").size());
        assertEquals(200, post("/api/interrupt", "{}").statusCode());
        awaitHistory(running);
        assertEquals(200, post("/history", "{\"delete\":[\"" + running + "\"]}").statusCode());
        assertEquals(Json.object(), getJson("/history"));

        comfy.behaviour().failNext("misc", Fault.ERROR_500, 1);
        assertEquals(TROUBLE, expect(500, getString("/system_stats")).body());
    }

    @Test
    void missingModelFaultAnswers400WithEmptyDetailsAndTheFileNamesOnlyInNodeErrors() throws Exception {
        comfy.behaviour().failNext("prompt", Fault.MISSING_MODEL, 1);
        JsonNode reply = json(expect(400, post("/prompt", Json.object().set("prompt", workflow(1, "m")).toString())));
        assertEquals("prompt_outputs_failed_validation", reply.at("/error/type").asText());
        assertEquals("", reply.at("/error/details").asText());
        assertEquals(List.of("37", "38", "39"), fieldNames(reply.get("node_errors")).stream().sorted().toList());
        assertEquals("unet_name: 'wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors' not in []",
                reply.at("/node_errors/37/errors/0/details").asText());
        assertEquals("UNETLoader", reply.at("/node_errors/37/class_type").asText());
        assertEquals("value_not_in_list", reply.at("/node_errors/38/errors/0/type").asText());
        assertEquals(0, gpu.runs(), "nothing was queued");
        // a fault for one call: the next prompt finds its models again
        postOk(Json.object().set("prompt", workflow(1, "m")));
    }

    @Test
    void nodeErrorsOnA200WhileTheValidOutputsStillRun() throws Exception {
        comfy.behaviour().failNext("prompt", Fault.NODE_ERRORS, 1);
        JsonNode elsewhere = postOk(Json.object().set("prompt", workflow(1, "n")));
        assertEquals(List.of(BrokenOutputs.EXTRA), fieldNames(elsewhere.get("node_errors")));
        assertEquals("SaveImage", elsewhere.at("/node_errors/" + BrokenOutputs.EXTRA + "/class_type").asText());
        assertEquals("return_type_mismatch",
                elsewhere.at("/node_errors/" + BrokenOutputs.EXTRA + "/errors/0/type").asText());
        JsonNode rendered = awaitHistory(elsewhere.get("prompt_id").asText());
        assertEquals("success", rendered.at("/status/status_str").asText());
        assertEquals("portrait_00001_.png", rendered.at("/outputs/49/images/0/filename").asText());

        comfy.behaviour().failNext("prompt", Fault.OUTPUT_NODE_ERRORS, 1);
        JsonNode onOutput = postOk(Json.object().set("prompt", workflow(2, "n")));
        assertEquals(List.of("49"), fieldNames(onOutput.get("node_errors")));
        assertEquals("required_input_missing", onOutput.at("/node_errors/49/errors/0/type").asText());
        assertEquals("images", onOutput.at("/node_errors/49/errors/0/details").asText());
        // the valid output (a preview) still renders, on the GPU, for nobody unless the client drops the prompt
        JsonNode preview = awaitHistory(onOutput.get("prompt_id").asText());
        assertTrue(preview.at("/outputs/49").isMissingNode(), "SaveImage 49 did not run");
        assertEquals("temp", preview.at("/outputs/" + BrokenOutputs.EXTRA + "/images/0/type").asText());
        assertEquals(2, gpu.runs());
    }

    @Test
    void aCacheHitNamesTheFirstRunsFileEvenWhenItWasDeleted() throws Exception {
        String first = postOk(Json.object().set("prompt", workflow(5, "c"))).get("prompt_id").asText();
        String file = awaitHistory(first).at("/outputs/49/images/0/filename").asText();
        Files.delete(outputDir.resolve("wan-portraits").resolve(file));

        String again = postOk(Json.object().set("prompt", workflow(5, "c"))).get("prompt_id").asText();
        JsonNode cached = awaitHistory(again);
        assertEquals(file, cached.at("/outputs/49/images/0/filename").asText(), "the cache names the old file");
        assertGuard(404, "/view?filename=" + file + "&subfolder=wan-portraits&type=output");

        // another filename_prefix (a per-job output name): only the output node runs again, and writes a new file
        ObjectNode renamed = workflow(5, "c");
        ((ObjectNode) renamed.at("/49/inputs")).put("filename_prefix", "talkreel/job-2/portrait");
        JsonNode fresh = awaitHistory(postOk(Json.object().set("prompt", renamed)).get("prompt_id").asText());
        assertEquals("portrait_00001_.png", fresh.at("/outputs/49/images/0/filename").asText());
        assertEquals("talkreel/job-2", fresh.at("/outputs/49/images/0/subfolder").asText());
        assertTrue(Files.isRegularFile(outputDir.resolve("talkreel/job-2/portrait_00001_.png")));
        assertEquals(9, fresh.at("/status/messages/1/1/nodes").size(), "everything upstream of the output was cached");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private ObjectNode workflow(long seed, String text) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/comfyui/wan-portrait-api-format.json")) {
            ObjectNode wf = (ObjectNode) Json.MAPPER.readTree(in);
            ((ObjectNode) wf.at("/3/inputs")).put("seed", seed);
            ((ObjectNode) wf.at("/6/inputs")).put("text", text);
            return wf;
        }
    }
}
