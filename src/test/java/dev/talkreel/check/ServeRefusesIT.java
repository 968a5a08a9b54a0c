package dev.talkreel.check;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.check.CheckCommandTest.Injected;
import dev.talkreel.check.CheckCommandTest.Typo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code java dev.talkreel.App serve} in a JVM of its own, on a copy of routes/ and config/ with one typo of issue 8:
 * it refuses to start, says where and what, and makes no shared volume. A JVM per typo: an integration test.
 */
class ServeRefusesIT {
    @TempDir
    Path root;
    private final CheckCommandTest tree = new CheckCommandTest();

    /** The ComfyUI workflow's faults of issue 9, each refused at start with the setting's line and what is wrong. */
    enum ComfyFault {
        WRONG_BINDING("talkreel.comfyui.bind.seed", "talkreel.comfyui.bind.seed = 3.noise_seed",
                "node 3 (KSampler) of config/comfyui/wan-portrait-api.json has no input 'noise_seed'; its inputs are seed"),
        MISSING_WORKFLOW_FILE("talkreel.comfyui.workflow", "talkreel.comfyui.workflow = config/comfyui/nowhere.json",
                "the workflow file config/comfyui/nowhere.json does not exist"),
        INVALID_WORKFLOW_JSON("talkreel.comfyui.workflow", null,
                "the workflow config/comfyui/wan-portrait-api.json is not valid JSON (line 1");

        final String key;
        final String replacement;
        final String message;

        ComfyFault(String key, String replacement, String message) {
            this.key = key;
            this.replacement = replacement;
            this.message = message;
        }
    }

    @ParameterizedTest
    @EnumSource(Typo.class)
    void serveRefusesToStartOnEachTypoAndSaysWhy(Typo kind) throws Exception {
        tree.root = root;
        tree.copyTree();
        assertServeRefuses(tree.inject(kind), kind.message);
    }

    @ParameterizedTest
    @EnumSource(ComfyFault.class)
    void serveRefusesAWrongComfyUiWorkflowOrBindingAndSaysWhy(ComfyFault fault) throws Exception {
        tree.root = root;
        tree.copyTree();
        Path config = root.resolve("config/application.properties");
        List<String> lines = new ArrayList<>(Files.readAllLines(config));
        int line = 0;
        for (int i = 0; i < lines.size() && line == 0; i++) {
            if (lines.get(i).startsWith(fault.key + " ")) {
                line = i + 1;
                if (fault.replacement != null) {
                    lines.set(i, fault.replacement);
                }
            }
        }
        Files.write(config, lines);
        if (fault == ComfyFault.INVALID_WORKFLOW_JSON) {
            Files.writeString(root.resolve("config/comfyui/wan-portrait-api.json"), "{\"3\": {\"class_type\": ,}}");
        }
        assertServeRefuses(new Injected(config, line), fault.key + ": " + fault.message);
    }

    private void assertServeRefuses(Injected typo, String message) throws Exception {
        Path log = root.resolve("serve.log");
        // run in the copied tree, whose config names routes/ and config/comfyui/ relative to the working directory
        Process serve = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.talkreel.App", "serve"))
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(serve.waitFor(90, TimeUnit.SECONDS), "serve stops by itself\n" + Files.readString(log));
            String out = Files.readString(log);
            assertNotEquals(0, serve.exitValue(), out);
            assertTrue(out.contains(typo.where()) && out.contains(message), out);
            assertTrue(out.contains("talkreel serve: not started"), out);
            assertTrue(!Files.exists(root.resolve("data/shared/jobs")), "nothing started: no shared volume made\n" + out);
        } finally {
            serve.destroyForcibly();
        }
    }

}
