package dev.talkreel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.emulator.Fault;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * talkreel switched to Flux.1 by the lines of config/comfyui/flux.properties alone: a whole job renders its portrait
 * through the Flux graph on the emulated ComfyUI, at the configured size; a wrong Flux binding refuses {@code serve}.
 */
class FluxPortraitIT {
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Path FLUX = Path.of("config/comfyui/flux.properties");
    /** Not the shipped 1024x576: the size must come from the settings, through both bound nodes. */
    private static final int WIDTH = 832;
    private static final int HEIGHT = 480;

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(settings());

    @TempDir
    Path root;

    /** flux.properties, plus the portrait size of the landscape profile the test jobs get, as an operator would. */
    private static Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>(fluxLines());
        settings.put("talkreel.output.profile", "landscape");
        settings.put("talkreel.output.landscape.portrait-size", WIDTH + "x" + HEIGHT);
        return settings;
    }

    private static Map<String, String> fluxLines() {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(FLUX)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> lines = new HashMap<>();
        p.stringPropertyNames().forEach(k -> lines.put(k, p.getProperty(k)));
        return lines;
    }

    @Test
    void aJobEndsDoneWithAFluxPortraitOfTheConfiguredSize() throws Exception {
        String id = talkreel.client().submit(JobClient.job(URL, "Rendered by Flux."));

        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);

        assertEquals("done", end.path("status").asText(), end.toString());
        JsonNode portrait = end.path("steps").path("portrait");
        assertEquals("talkreel/" + id + "/portrait_00001_.png",
                portrait.path("details").path("comfyui_file").asText(), portrait.toString());
        BufferedImage png = ImageIO.read(JobClient.jobFolder(talkreel.shared(), id).resolve("portrait.png").toFile());
        assertEquals(WIDTH, png.getWidth());
        assertEquals(HEIGHT, png.getHeight());

        // what ComfyUI ran: the Flux graph with every bound input written, both prompts, the seed, both sizes
        String promptId = portrait.path("task_id").asText();
        HttpResponse<String> history = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                talkreel.emulators().comfyui.baseUrl() + "/history/" + promptId)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode graph = JobClient.JSON.readTree(history.body()).path(promptId).path("prompt").get(2);
        assertEquals("SamplerCustomAdvanced", graph.at("/13/class_type").asText(), graph.toString());
        String text = graph.at("/6/inputs/clip_l").asText();
        assertNotEquals("filled in by talkreel", text);
        assertEquals(text, graph.at("/6/inputs/t5xxl").asText());
        for (String node : List.of("27", "30")) {
            assertEquals(WIDTH, graph.at("/" + node + "/inputs/width").asInt(), node);
            assertEquals(HEIGHT, graph.at("/" + node + "/inputs/height").asInt(), node);
        }
        assertEquals("talkreel/" + id + "/portrait", graph.at("/9/inputs/filename_prefix").asText());
        assertEquals(1, talkreel.emulators().comfyui.calls().count("POST /prompt"), "submitted once");
    }

    @Test
    void aServerWithoutTheFluxModelsFailsThePortraitNamingEachFile() throws Exception {
        talkreel.emulators().comfyui.behaviour().failNext("prompt", Fault.MISSING_MODEL, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "No Flux here."));

        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);

        assertEquals("failed", end.path("status").asText(), end.toString());
        String message = end.path("steps").path("portrait").path("error").path("message").asText();
        // ComfyUI's top-level details are empty: every word comes from node_errors, one sentence per file
        for (String words : List.of("node 10 (VAELoader) input vae_name", "'ae.safetensors' not in []",
                "node 11 (DualCLIPLoader) input clip_name1", "'t5xxl_fp8_e4m3fn.safetensors' not in []",
                "node 11 (DualCLIPLoader) input clip_name2", "'clip_l.safetensors' not in []",
                "node 12 (UNETLoader) input unet_name", "'flux1-dev.safetensors' not in []")) {
            assertTrue(message.contains(words), words + " in: " + message);
        }
        assertEquals(1, talkreel.emulators().comfyui.calls().count("POST /prompt"), "a 400 is not retried");
    }

    @Test
    void aWrongFluxBindingRefusesServeNamingTheNodeAndItsInputs() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "-Dtalkreel.shared.dir=" + root.resolve("shared")));
        Map<String, String> lines = fluxLines();
        // RandomNoise takes noise_seed; "seed" is KSampler's
        lines.put("talkreel.comfyui.bind.seed", "25.seed");
        lines.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("dev.talkreel.App", "serve"));
        Path log = root.resolve("serve.log");
        Process serve = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(serve.waitFor(90, TimeUnit.SECONDS), "serve stops by itself\n" + Files.readString(log));
            String out = Files.readString(log);
            assertNotEquals(0, serve.exitValue(), out);
            assertTrue(out.contains("talkreel.comfyui.bind.seed: node 25 (RandomNoise) of "
                    + "config/comfyui/flux-portrait-api.json has no input 'seed'; its inputs are noise_seed"), out);
            assertTrue(out.contains("talkreel serve: not started"), out);
            assertTrue(!Files.exists(root.resolve("shared/jobs")), "nothing started: no shared volume made\n" + out);
        } finally {
            serve.destroyForcibly();
        }
    }
}
