package dev.talkreel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts travel as paths, never as bodies: the orchestrator runs in its own JVM with a 256 MB heap while the
 * InfiniteTalk emulator hands it a 300 MB video.
 */
class LargeVideoIT {
    private static final long EXTRA_BYTES = 300L * 1024 * 1024;

    @TempDir
    Path root;

    @Test
    void aThreeHundredMegabyteVideoPassesThroughA256MegabyteHeap() throws Exception {
        try (Emulators emulators = LocalStack.startEmulators(root)) {
            emulators.infinitetalk.setExtraVideoBytes(EXTRA_BYTES);
            int port = LocalStack.freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path")));
            for (Map.Entry<String, String> e : LocalStack.orchestratorSettings(root, emulators, port).entrySet()) {
                command.add("-D" + e.getKey() + "=" + e.getValue());
            }
            command.addAll(List.of("dev.talkreel.App", "serve"));
            Path log = root.resolve("orchestrator.log");
            Process orchestrator = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                JobClient client = new JobClient("http://127.0.0.1:" + port, root.resolve("shared"));
                String id = client.submitWhenUp(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "A big one."));
                JsonNode done = client.waitForEnd(id, Duration.ofMinutes(4));

                assertEquals("done", done.path("status").asText(), done + "\n" + Files.readString(log));
                // the raw video came through whole; the finished one is what the outbox holds
                Path raw = JobClient.jobFolder(root.resolve("shared"), id).resolve("video.mp4");
                assertTrue(Files.size(raw) > EXTRA_BYTES, "the raw video in the job folder is over 300 MB");
                Path video = root.resolve("shared").resolve(done.path("result").path("video").asText());
                MediaInfo info = MediaProbe.probe(video);
                assertEquals("h264", info.video().codecName());
                assertEquals(8.0, info.durationSeconds(), 0.1);
                assertTrue(orchestrator.isAlive(), "the orchestrator is still up");
                assertFalse(Files.readString(log).contains("OutOfMemoryError"));
            } finally {
                orchestrator.destroy();
                orchestrator.waitFor();
            }
        }
    }
}
