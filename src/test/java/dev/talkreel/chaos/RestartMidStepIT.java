package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Emulators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a step, then start again: what the killed run had begun must not be doubled (a
 * synchronous render still running on the GPU) nor forgotten (the time the step has already spent).
 */
class RestartMidStepIT {
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void aSynchronousRenderCutOffByKill9IsNotRepeatedWhileTheGpuIsStillBusyWithIt() throws Exception {
        try (Emulators emulators = LocalStack.startEmulators(root)) {
            // long enough that the restarted orchestrator is up well before the orphaned render ends
            emulators.infinitetalk.behaviour().latency("generate", Duration.ofSeconds(12));
            int port = LocalStack.freePort();
            RestartChaosIT.Orchestrator orchestrator = new RestartChaosIT.Orchestrator(root,
                    LocalStack.orchestratorSettings(root, emulators, port));
            JobClient client = new JobClient("http://127.0.0.1:" + port, root.resolve("shared"));
            orchestrator.start();
            try {
                String id = client.submitWhenUp(JobClient.job(URL, "Do not render me twice at once."));
                client.waitFor(id, j -> "running".equals(j.path("steps").path("video").path("state").asText())
                        && emulators.gpu.busy() > 0, Duration.ofSeconds(60));

                orchestrator.kill();
                orchestrator.start();
                RestartChaosIT.waitUntilUp(client);

                JsonNode done = client.waitForEnd(id, Duration.ofMinutes(2));
                assertEquals("done", done.path("status").asText(), done.toString());
                assertNull(emulators.gpu.firstOverlap(), "two GPU renders at once");
                assertEquals(1, emulators.gpu.maxConcurrent());
                assertEquals(2, emulators.infinitetalk.calls().count("POST /api/generate-video"),
                        "the cut-off render was made again, after the first had left the GPU");
                String log = Files.readString(root.resolve("orchestrator-2.log"));
                assertTrue(log.contains("cut off in flight"), log);
                System.out.println("kill -9 during a 12 s render: " + log.lines().filter(l -> l.contains("goes on after"))
                        .findFirst().orElse("?"));
            } finally {
                orchestrator.kill();
            }
        }
    }

    @Test
    void aStepDeadlineCountsFromItsFirstStartAcrossARestart() throws Exception {
        try (Emulators emulators = LocalStack.startEmulators(root)) {
            emulators.yttools.behaviour().latency("task", Duration.ofSeconds(120));
            int port = LocalStack.freePort();
            Map<String, String> settings = LocalStack.orchestratorSettings(root, emulators, port);
            settings.put("talkreel.yttools.deadline-ms", "8000");
            RestartChaosIT.Orchestrator orchestrator = new RestartChaosIT.Orchestrator(root, settings);
            JobClient client = new JobClient("http://127.0.0.1:" + port, root.resolve("shared"));
            orchestrator.start();
            try {
                String id = client.submitWhenUp(JobClient.job(URL, "My deadline does not restart."));
                client.waitFor(id, j -> "running".equals(j.path("steps").path("audio").path("state").asText()),
                        Duration.ofSeconds(60));
                orchestrator.kill();
                Thread.sleep(10_000); // the chaos schedule: down for longer than the step's whole deadline
                orchestrator.start();
                RestartChaosIT.waitUntilUp(client);
                Instant up = Instant.now();

                JsonNode failed = client.waitForEnd(id, Duration.ofSeconds(60));
                JsonNode audio = failed.path("steps").path("audio");
                assertEquals("failed", failed.path("status").asText(), failed.toString());
                assertEquals("StepTimeoutException", audio.path("error").path("error_class").asText(), audio.toString());
                assertEquals(1, audio.path("attempt").asInt(), "the same attempt carried on");
                Duration afterRestart = Duration.between(up, Instant.parse(audio.path("ended").asText()));
                System.out.println("8 s deadline, killed, down 10 s: failed " + afterRestart.toMillis()
                        + " ms after the restart; step lasted " + Duration.between(Instant.parse(audio.path("started")
                        .asText()), Instant.parse(audio.path("ended").asText())).toMillis() + " ms");
                assertTrue(afterRestart.toMillis() < 6000, "a fresh 8 s deadline would end 8 s after the restart: "
                        + afterRestart);
            } finally {
                orchestrator.kill();
            }
        }
    }
}
