package dev.talkreel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.demo.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code talkreel emulate} in its own JVM: the four emulators answer on the ports they are given, until stopped. */
class EmulateCommandIT {
    @TempDir
    Path root;

    @Test
    void emulateServesTheFourServicesUntilStopped() throws Exception {
        int[] ports = {LocalStack.freePort(), LocalStack.freePort(), LocalStack.freePort(), LocalStack.freePort()};
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "-Demulator.yttools.port=" + ports[0], "-Demulator.vibevoice.port=" + ports[1],
                "-Demulator.comfyui.port=" + ports[2], "-Demulator.infinitetalk.port=" + ports[3],
                "-Demulator.work-dir=" + root.resolve("emulators"),
                "-Dtalkreel.shared.dir=" + root.resolve("shared"),
                "-Dtalkreel.infinitetalk.output.dir=" + root.resolve("it-output"),
                "dev.talkreel.App", "emulate"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("emulate.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String[] health = {"/api/health", "/api/health", "/system_stats", "/api/health"};
            for (int i = 0; i < 4; i++) {
                URI uri = URI.create("http://127.0.0.1:" + ports[i] + health[i]);
                assertEquals(200, waitForStatus(http, uri, Duration.ofSeconds(30)), uri.toString());
            }
            HttpResponse<String> gpu = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[2]
                    + "/_emulator/gpu")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, gpu.statusCode());
            assertTrue(gpu.body().contains("\"max_concurrent\":0"), gpu.body());
            assertTrue(p.isAlive());
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static int waitForStatus(HttpClient http, URI uri, Duration deadline) throws Exception {
        return await(uri + " answers").atMost(deadline).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(IOException.class).until(() -> http.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode(),
                        status -> true);
    }
}
