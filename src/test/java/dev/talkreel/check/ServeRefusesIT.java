package dev.talkreel.check;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.check.CheckCommandTest.Injected;
import dev.talkreel.check.CheckCommandTest.Typo;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @ParameterizedTest
    @EnumSource(Typo.class)
    void serveRefusesToStartOnEachTypoAndSaysWhy(Typo kind) throws Exception {
        tree.root = root;
        tree.copyTree();
        Injected typo = tree.inject(kind);
        Path log = root.resolve("serve.log");
        // run in the copied tree, whose config names routes/ and config/comfyui/ relative to the working directory
        Process serve = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.talkreel.App", "serve"))
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(serve.waitFor(90, TimeUnit.SECONDS), "serve stops by itself\n" + Files.readString(log));
            String out = Files.readString(log);
            assertNotEquals(0, serve.exitValue(), out);
            assertTrue(out.contains(typo.where()) && out.contains(kind.message), out);
            assertTrue(out.contains("talkreel serve: not started"), out);
            assertTrue(!Files.exists(root.resolve("data/shared/jobs")), "nothing started: no shared volume made\n" + out);
        } finally {
            serve.destroyForcibly();
        }
    }

}
