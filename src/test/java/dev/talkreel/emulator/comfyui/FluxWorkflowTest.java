package dev.talkreel.emulator.comfyui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.Json;
import dev.talkreel.service.comfyui.ComfyWorkflow;
import java.awt.image.BufferedImage;
import java.io.Reader;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The shipped Flux.1 workflow, filled in through config/comfyui/flux.properties exactly as talkreel fills it, on the
 * emulated ComfyUI: it runs to a PNG of the asked size with the sampler's progress, and every fault is worded as
 * ComfyUI words it for these nodes.
 */
class FluxWorkflowTest extends ComfyUiEmulatorFixture {
    private static final String PREFIX = "talkreel/job-1/portrait";

    @Test
    void theShippedFluxWorkflowRendersAPngOfTheAskedSizeWithTheSamplersProgress() throws Exception {
        Duration latency = Duration.ofMillis(600);
        comfy.behaviour().latency("execute", latency);
        BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + comfy.port()
                + "/ws?clientId=flux"), new Collector(frames)).get(5, TimeUnit.SECONDS);
        try {
            long posted = System.nanoTime();
            JsonNode reply = postOk(Json.object().put("client_id", "flux").set("prompt", flux(832, 480, 7)));
            assertEquals(Json.object(), reply.get("node_errors"));
            String id = reply.get("prompt_id").asText();

            List<String> order = new ArrayList<>();
            List<JsonNode> progress = new ArrayList<>();
            while (order.isEmpty() || !order.get(order.size() - 1).equals("executing null")) {
                JsonNode frame = frames.poll(10, TimeUnit.SECONDS);
                assertNotNull(frame, "websocket went quiet after " + order);
                String type = frame.get("type").asText();
                if (type.equals("progress")) {
                    progress.add(frame.get("data"));
                }
                boolean idle = type.equals("executing") && frame.at("/data/node").isNull();
                order.add(idle ? "executing null" : type);
            }
            long elapsed = System.nanoTime() - posted;

            // BasicScheduler's 20 steps, each a progress event of the SamplerCustomAdvanced node
            assertEquals(20, progress.size(), order.toString());
            for (int i = 0; i < progress.size(); i++) {
                JsonNode p = progress.get(i);
                assertEquals(i + 1, p.get("value").asInt());
                assertEquals(20, p.get("max").asInt());
                assertEquals("13", p.get("node").asText());
                assertEquals(id, p.get("prompt_id").asText());
            }
            assertTrue(elapsed >= latency.toNanos(), "the sampler spent the execute latency: " + elapsed + " ns");
            assertTrue(order.indexOf("execution_success") > order.lastIndexOf("progress"), order.toString());

            JsonNode entry = getJson("/history/" + id).get(id);
            assertEquals("success", entry.at("/status/status_str").asText());
            JsonNode image = entry.at("/outputs/9/images/0");
            assertEquals("portrait_00001_.png", image.get("filename").asText());
            assertEquals("talkreel/job-1", image.get("subfolder").asText());
            BufferedImage png = ImageIO.read(outputDir.resolve("talkreel/job-1/portrait_00001_.png").toFile());
            assertEquals(832, png.getWidth(), "EmptySD3LatentImage's width");
            assertEquals(480, png.getHeight(), "EmptySD3LatentImage's height");
            assertEquals(1, gpu.runs());
        } finally {
            ws.abort();
        }
    }

    @Test
    void aWrongFluxComboIsRefusedInComfyUisWords() throws Exception {
        ObjectNode wrongType = flux(1024, 576, 1);
        ((ObjectNode) wrongType.at("/11/inputs")).put("type", "flux2");
        JsonNode reply = refused(wrongType);
        assertEquals("prompt_outputs_failed_validation", reply.at("/error/type").asText());
        String options = "['sdxl', 'sd3', 'flux', 'hunyuan_video', 'hidream', 'hunyuan_image']";
        // the output node only fails through node 11, so its details are empty, as on a real server: the words are
        // in node_errors
        assertEquals("", reply.at("/error/details").asText());
        assertEquals(List.of("11"), fieldNames(reply.get("node_errors")));
        JsonNode node = reply.at("/node_errors/11");
        assertEquals("DualCLIPLoader", node.get("class_type").asText());
        assertEquals("9", node.at("/dependent_outputs/0").asText());
        assertEquals("value_not_in_list", node.at("/errors/0/type").asText());
        assertEquals("type: 'flux2' not in " + options, node.at("/errors/0/details").asText());
        assertEquals("type", node.at("/errors/0/extra_info/input_name").asText());

        ObjectNode tooSmall = flux(1024, 576, 1);
        ((ObjectNode) tooSmall.at("/27/inputs")).put("width", 8);
        JsonNode small = refused(tooSmall).at("/node_errors/27");
        assertEquals("EmptySD3LatentImage", small.get("class_type").asText());
        assertEquals("value_smaller_than_min", small.at("/errors/0/type").asText());
        assertEquals("Value 8 smaller than min of 16", small.at("/errors/0/message").asText());
        assertEquals("width", small.at("/errors/0/details").asText());

        // the custom-sampling links are typed: a SAMPLER is no SIGMAS
        ObjectNode crossed = flux(1024, 576, 1);
        ((ObjectNode) crossed.at("/13/inputs")).putArray("sigmas").add("16").add(0);
        JsonNode mismatch = refused(crossed).at("/node_errors/13");
        assertEquals("SamplerCustomAdvanced", mismatch.get("class_type").asText());
        assertEquals("return_type_mismatch", mismatch.at("/errors/0/type").asText());
        assertEquals("sigmas, received_type(SAMPLER) mismatch input_type(SIGMAS)",
                mismatch.at("/errors/0/details").asText());
        assertEquals(0, gpu.runs(), "nothing was queued");
    }

    @Test
    void missingFluxModelsNameEveryFileOnlyInNodeErrors() throws Exception {
        comfy.behaviour().failNext("prompt", Fault.MISSING_MODEL, 1);
        JsonNode reply = refused(flux(1024, 576, 1));
        assertEquals("", reply.at("/error/details").asText());
        assertEquals(List.of("10", "11", "12"), fieldNames(reply.get("node_errors")).stream().sorted().toList());
        assertEquals("unet_name: 'flux1-dev.safetensors' not in []",
                reply.at("/node_errors/12/errors/0/details").asText());
        assertEquals("vae_name: 'ae.safetensors' not in []", reply.at("/node_errors/10/errors/0/details").asText());
        JsonNode clips = reply.at("/node_errors/11/errors");
        assertEquals("clip_name1: 't5xxl_fp8_e4m3fn.safetensors' not in []", clips.get(0).get("details").asText());
        assertEquals("clip_name2: 'clip_l.safetensors' not in []", clips.get(1).get("details").asText());
    }

    @Test
    void nodeErrorsElsewhereStillRenderTheFluxPortrait() throws Exception {
        comfy.behaviour().failNext("prompt", Fault.NODE_ERRORS, 1);
        JsonNode reply = postOk(Json.object().set("prompt", flux(640, 384, 3)));
        JsonNode extra = reply.at("/node_errors/" + BrokenOutputs.EXTRA);
        assertEquals("return_type_mismatch", extra.at("/errors/0/type").asText());
        assertEquals("images, received_type(CLIP) mismatch input_type(IMAGE)", extra.at("/errors/0/details").asText());
        String id = reply.get("prompt_id").asText();
        JsonNode entry = awaitHistory(id);
        assertEquals("success", entry.at("/status/status_str").asText());
        BufferedImage png = ImageIO.read(outputDir.resolve("talkreel/job-1/portrait_00001_.png").toFile());
        assertEquals(640, png.getWidth());
        assertEquals(384, png.getHeight());
    }

    @Test
    void aSizeOffTheLatentGridComesOutAsTheVaeDecodesIt() throws Exception {
        // the latent is [1, 16, 570 // 8, 1000 // 8]: a real server saves 1000x568, not the 570 asked for
        String id = postOk(Json.object().set("prompt", flux(1000, 570, 4))).get("prompt_id").asText();
        String file = awaitHistory(id).at("/outputs/9/images/0/filename").asText();
        BufferedImage png = ImageIO.read(outputDir.resolve("talkreel/job-1").resolve(file).toFile());
        assertEquals(1000, png.getWidth());
        assertEquals(568, png.getHeight());
    }

    /** The shipped workflow with the job's values written through the shipped Flux bindings. */
    private static ObjectNode flux(int width, int height, long seed) throws Exception {
        Properties settings = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("config/comfyui/flux.properties"))) {
            settings.load(in);
        }
        ComfyWorkflow workflow = ComfyWorkflow.load(Path.of(settings.getProperty(ComfyWorkflow.WORKFLOW)),
                settings::getProperty);
        return workflow.fill(Map.of("prompt", "a calm speaker, studio light", "seed", seed, "width", width,
                "height", height), PREFIX);
    }

    private JsonNode refused(ObjectNode prompt) throws Exception {
        return json(expect(400, post("/prompt", Json.object().set("prompt", prompt).toString())));
    }
}
