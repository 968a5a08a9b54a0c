package dev.talkreel.service.comfyui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.service.comfyui.ComfyWorkflow.Target;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workflow file and its bindings: parsed once, each wrong setting refused with what the workflow has instead. */
class ComfyWorkflowTest {
    static final Path WAN = Path.of("config/comfyui/wan-portrait-api.json");
    static final Path FLUX = Path.of("config/comfyui/flux-portrait-api.json");
    @TempDir
    Path dir;

    /** The Wan bindings of config/application.properties. */
    static Map<String, String> wanBindings() throws IOException {
        return bindings(Path.of("config/application.properties"));
    }

    static Map<String, String> bindings(Path propertiesFile) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(propertiesFile)) {
            p.load(in);
        }
        Map<String, String> out = new HashMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith("talkreel.comfyui."))
                .forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    @Test
    void theShippedWanWorkflowValidatesWithItsShippedBindings() throws IOException {
        Map<String, String> settings = wanBindings();
        assertEquals(WAN, Path.of(settings.get(ComfyWorkflow.WORKFLOW)));
        ComfyWorkflow wan = ComfyWorkflow.load(WAN, settings::get);
        assertEquals("49", wan.outputNode());
        assertEquals(List.of(new Target("6", "text")), wan.targets("prompt"));
        assertEquals(List.of(new Target("3", "seed")), wan.targets("seed"));
    }

    @Test
    void theShippedFluxWorkflowValidatesWithItsShippedBindings() throws IOException {
        Map<String, String> settings = bindings(Path.of("config/comfyui/flux.properties"));
        assertEquals(FLUX, Path.of(settings.get(ComfyWorkflow.WORKFLOW)));
        ComfyWorkflow flux = ComfyWorkflow.load(FLUX, settings::get);
        assertEquals("9", flux.outputNode());
        assertEquals(List.of(new Target("6", "clip_l"), new Target("6", "t5xxl")), flux.targets("prompt"));
        assertEquals(List.of(new Target("25", "noise_seed")), flux.targets("seed"));
        assertEquals(List.of(new Target("27", "width"), new Target("30", "width")), flux.targets("width"));
    }

    @Test
    void aListBindingWritesEveryInputAndTheOutputGetsTheJobsPrefix() throws IOException {
        Map<String, String> settings = wanBindings();
        settings.put(ComfyWorkflow.BIND + "seed", "3.seed, 40.length");
        ComfyWorkflow wan = ComfyWorkflow.load(WAN, settings::get);
        ObjectNode filled = wan.fill(Map.of("prompt", "a speaker", "seed", 123456789012L, "width", 640, "height", 360),
                "talkreel/job-1/portrait");
        assertEquals("a speaker", filled.at("/6/inputs/text").asText());
        assertEquals(123456789012L, filled.at("/3/inputs/seed").asLong());
        assertEquals(123456789012L, filled.at("/40/inputs/length").asLong());
        assertEquals(640, filled.at("/40/inputs/width").asInt());
        assertEquals(360, filled.at("/40/inputs/height").asInt());
        assertEquals("talkreel/job-1/portrait", filled.at("/49/inputs/filename_prefix").asText());
        // each prompt is a copy: the parsed workflow is never changed
        ObjectNode next = wan.fill(Map.of("prompt", "another"), "talkreel/job-2/portrait");
        assertEquals("another", next.at("/6/inputs/text").asText());
        assertEquals(0, next.at("/3/inputs/seed").asLong());
        assertEquals("talkreel/job-2/portrait", next.at("/49/inputs/filename_prefix").asText());
    }

    @Test
    void anUnknownNodeNamesTheSettingAndTheNodesThereAre() throws IOException {
        String message = refused("seed", "99.seed");
        assertTrue(message.contains("talkreel.comfyui.bind.seed: the workflow " + WAN + " has no node 99"), message);
        assertTrue(message.contains("3 (KSampler)") && message.contains("49 (SaveImage)"), message);
    }

    @Test
    void anUnknownInputNamesTheNodeItsClassAndItsInputs() throws IOException {
        String message = refused("seed", "3.noise_seed");
        assertTrue(message.contains("talkreel.comfyui.bind.seed: node 3 (KSampler) of " + WAN
                + " has no input 'noise_seed'; its inputs are seed, steps, cfg, sampler_name, scheduler, denoise, model,"
                + " positive, negative, latent_image"), message);
    }

    @Test
    void aLinkInputCannotBeBound() throws IOException {
        String message = refused("prompt", "6.clip");
        assertTrue(message.contains("talkreel.comfyui.bind.prompt: input 'clip' of node 6 (CLIPTextEncode) is a link "
                + "from node 38"), message);
    }

    @Test
    void aMalformedOrMissingBindingIsNamed() throws IOException {
        assertTrue(refused("width", "40").contains("talkreel.comfyui.bind.width: '40' is not <node id>.<input>"));
        assertTrue(refused("height", null).contains("talkreel.comfyui.bind.height: not set"));
    }

    @Test
    void anOutputNodeThatIsMissingOrSavesNoFileIsRefused() throws IOException {
        String missing = refused("output", "50");
        assertTrue(missing.contains("talkreel.comfyui.bind.output: the workflow " + WAN + " has no node 50"), missing);
        String notSave = refused("output", "8");
        assertTrue(notSave.contains("talkreel.comfyui.bind.output: node 8 (VAEDecode) of " + WAN + " saves no file "
                + "(no input 'filename_prefix'; its inputs are samples, vae)"), notSave);
    }

    @Test
    void everyWrongSettingIsReportedAtOnce() throws IOException {
        Map<String, String> settings = wanBindings();
        settings.put(ComfyWorkflow.BIND + "prompt", "6.txt");
        settings.put(ComfyWorkflow.BIND + "output", "8");
        List<ComfyWorkflow.Issue> issues = ComfyWorkflow.issues(WAN, settings::get);
        assertEquals(List.of(ComfyWorkflow.BIND + "prompt", ComfyWorkflow.BIND + "output"),
                issues.stream().map(ComfyWorkflow.Issue::setting).toList());
    }

    @Test
    void invalidJsonNamesTheFileAndWhere() throws IOException {
        String message = refusedFile("{\n  \"3\": {\"class_type\": \"KSampler\",, }\n}\n");
        assertTrue(message.contains("talkreel.comfyui.workflow: the workflow " + dir.resolve("workflow.json")
                + " is not valid JSON (line 2"), message);
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Path file = dir.resolve("nowhere.json");
        ComfyWorkflow.InvalidException e = assertThrows(ComfyWorkflow.InvalidException.class,
                () -> ComfyWorkflow.load(file, wanBindings()::get));
        assertEquals(List.of(new ComfyWorkflow.Issue(ComfyWorkflow.WORKFLOW, "the workflow file " + file
                + " does not exist")), e.issues());
    }

    @Test
    void aUiFormatOrEmptyFileIsNotAnApiWorkflow() throws IOException {
        String message = refusedFile("[]");
        assertTrue(message.contains("is not an API-format workflow"), message);
    }

    private String refusedFile(String content) throws IOException {
        Path file = dir.resolve("workflow.json");
        Files.writeString(file, content);
        return assertThrows(ComfyWorkflow.InvalidException.class, () -> ComfyWorkflow.load(file, wanBindings()::get))
                .getMessage();
    }

    private String refused(String field, String value) throws IOException {
        Map<String, String> settings = wanBindings();
        settings.put(ComfyWorkflow.BIND + field, value);
        return assertThrows(ComfyWorkflow.InvalidException.class, () -> ComfyWorkflow.load(WAN, settings::get))
                .getMessage();
    }
}
