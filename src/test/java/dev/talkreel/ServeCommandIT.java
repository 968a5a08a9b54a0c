package dev.talkreel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.demo.LocalStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code talkreel serve} in its own JVM takes its settings from environment variables and -D flags. */
class ServeCommandIT {
    @TempDir
    Path root;

    @Test
    void settingsComeFromEnvironmentVariablesAndSystemProperties() throws Exception {
        int port = LocalStack.freePort();
        Path shared = root.resolve("elsewhere");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "-Dtalkreel.shared.dir=" + shared,
                "dev.talkreel.App", "serve")).redirectErrorStream(true).redirectOutput(root.resolve("serve.log").toFile());
        pb.environment().put("TALKREEL_HTTP_PORT", String.valueOf(port));
        pb.environment().put("TALKREEL_INFINITETALK_OUTPUT_DIR", root.resolve("it-out").toString());
        Process serve = pb.start();
        try {
            JobClient client = new JobClient("http://127.0.0.1:" + port, shared);
            int[] status = {0};
            JobClient.eventually(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
                try {
                    status[0] = client.get("/api/jobs").statusCode();
                } catch (IOException notUpYet) {
                    // not listening yet
                }
                // 404/405 while the REST routes are still being added one by one
                return status[0] == 200;
            });
            assertEquals(200, status[0], "API on the port from TALKREEL_HTTP_PORT\n" + Files.readString(root.resolve("serve.log")));
            assertTrue(Files.isDirectory(shared.resolve("inbox/.failed")), "shared volume from -Dtalkreel.shared.dir");
        } finally {
            serve.destroy();
            serve.waitFor();
        }
    }
}
