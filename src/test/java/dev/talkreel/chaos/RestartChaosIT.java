package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.CallLog;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Emulators;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 the orchestrator at random points while ten jobs go through, restart it, again and again. Every job must
 * end done, and the emulators' journals must show that no step ran again once it had finished: a restart carries
 * every job on from the shared volume, resuming polled tasks by their stored ids.
 */
class RestartChaosIT {
    private static final int JOBS = 10;
    private static final int KILLS = 12;
    private static final Duration DEADLINE = Duration.ofMinutes(6);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void killedAtRandomPointsEveryJobEndsDoneAndNoFinishedStepRunsTwice() throws Exception {
        try (Emulators emulators = LocalStack.startEmulators(root)) {
            emulators.yttools.behaviour().latency("task", Duration.ofMillis(1200));
            emulators.vibevoice.behaviour().latency("tts", Duration.ofMillis(800));
            emulators.comfyui.behaviour().latency("execute", Duration.ofMillis(800));
            emulators.infinitetalk.behaviour().latency("generate", Duration.ofMillis(1200));
            int port = LocalStack.freePort();
            Orchestrator orchestrator = new Orchestrator(root, LocalStack.orchestratorSettings(root, emulators, port));
            JobClient client = new JobClient("http://127.0.0.1:" + port, root.resolve("shared"));
            Random random = new Random(20261125);

            orchestrator.start();
            for (int i = 0; i < JOBS; i++) {
                String job = JobClient.job("https://www.youtube.com/watch?v=" + videoId(i), script(i));
                if (i % 2 == 0) {
                    client.drop("chaos-" + i + ".json", job);
                } else {
                    client.submitWhenUp(job);
                }
            }
            int kills = 0;
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (finishedJobs() < JOBS && System.nanoTime() < end) {
                if (kills < KILLS) {
                    waitUntilUp(client);
                    Thread.sleep(300 + random.nextInt(3000)); // the chaos schedule: a random point in the work
                    orchestrator.kill();
                    kills++;
                    orchestrator.start();
                } else {
                    JobClient.eventually(Duration.ofNanos(Math.max(1, end - System.nanoTime())), Duration.ofMillis(200),
                            () -> finishedJobs() >= JOBS);
                }
            }
            orchestrator.kill();

            List<JsonNode> jobs = allJobs();
            assertEquals(JOBS, jobs.size(), "every submitted job exists once");
            for (JsonNode job : jobs) {
                assertEquals("done", job.path("status").asText(), job.toString());
                assertTrue(Files.isRegularFile(root.resolve("shared/outbox/" + job.path("job_id").asText() + ".mp4")));
            }
            Map<String, Integer> runs = new LinkedHashMap<>();
            List<String> rerunAfterDone = new ArrayList<>();
            for (JsonNode job : jobs) {
                String id = job.path("job_id").asText();
                Map<String, String> keys = Map.of(
                        "audio", "download " + job.path("input").path("video_id").asText(),
                        "voice", "tts " + job.path("input").path("script").asText(),
                        "portrait", "execute talkreel/" + id + "/portrait",
                        "video", "generate /data/shared/jobs/" + id + "/voice-8s.wav");
                for (Map.Entry<String, String> k : keys.entrySet()) {
                    Instant ended = Instant.parse(job.path("steps").path(k.getKey()).path("ended").asText());
                    for (CallLog.Work work : journal(emulators, k.getKey())) {
                        if (work.key().equals(k.getValue())) {
                            runs.merge(k.getKey(), 1, Integer::sum);
                            if (work.started().isAfter(ended)) {
                                rerunAfterDone.add(id + " " + k.getKey() + " ran at " + work.started()
                                        + " after it was done at " + ended);
                            }
                        }
                    }
                }
            }
            long resumed = 0;
            for (int i = 1; i <= orchestrator.starts; i++) {
                resumed += Files.readAllLines(root.resolve("orchestrator-" + i + ".log")).stream()
                        .filter(l -> l.contains(": resuming ")).count();
            }
            System.out.println("restart chaos: " + JOBS + " jobs, " + kills + " kills (kill -9), runs per step for "
                    + JOBS + " jobs " + runs + ", polled tasks resumed by id after a restart: " + resumed
                    + ", finished steps run again: " + rerunAfterDone.size() + " (logs in " + root + ")");
            assertTrue(kills >= 10, "killed at least ten times");
            assertEquals(List.of(), rerunAfterDone);
        }
    }

    private static List<CallLog.Work> journal(Emulators emulators, String step) {
        EmulatorServer server = switch (step) {
            case "audio" -> emulators.yttools;
            case "voice" -> emulators.vibevoice;
            case "portrait" -> emulators.comfyui;
            default -> emulators.infinitetalk;
        };
        return server.calls().journal();
    }

    /** An 11-character YouTube video id of its own per job, so the emulators can tell the jobs' work apart. */
    private static String videoId(int i) {
        return String.format("chaosJob_%02d", i);
    }

    private static String script(int i) {
        return "Chaos job number " + i + " still says its words.";
    }

    private List<JsonNode> allJobs() throws IOException {
        return JobClient.allRecords(root.resolve("shared"));
    }

    /** Jobs that are done, failed or cancelled: the test stops killing and waiting once all are. */
    private long finishedJobs() throws IOException {
        if (!Files.isDirectory(root.resolve("shared/jobs"))) {
            return 0;
        }
        return allJobs().stream().filter(j -> j.path("status").asText().matches("done|failed|cancelled")).count();
    }

    static void waitUntilUp(JobClient client) {
        client.waitUntilUp(Duration.ofSeconds(60));
    }

    /** The orchestrator in a JVM of its own, which this test kills with SIGKILL and starts again. */
    static final class Orchestrator {
        private final Path root;
        private final List<String> command = new ArrayList<>();
        private Process process;
        private int starts;

        Orchestrator(Path root, Map<String, String> settings) {
            this.root = root;
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
            settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.addAll(List.of("dev.talkreel.App", "serve"));
        }

        void start() throws IOException {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(root.resolve("orchestrator-" + (++starts) + ".log").toFile()).start();
        }

        /** kill -9: no shutdown hook, no graceful stop, whatever it was doing. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
