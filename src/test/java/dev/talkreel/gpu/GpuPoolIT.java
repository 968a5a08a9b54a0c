package dev.talkreel.gpu;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.gpu.TwoGpuHosts.Placement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two emulated GPU hosts (two sets of VibeVoice, ComfyUI and InfiniteTalk emulators on loopback, one shared volume):
 * the same jobs finish in about half the time one host takes; a host whose emulators stop mid-run loses no job (its
 * steps run again on the other host, steps it finished are not redone), and each step's record names its host.
 */
class GpuPoolIT {
    private static final int JOBS = 4;

    @TempDir
    Path root;

    @Test
    void twoHostsHalveTheMakespanAndAHostLostLosesNoJob() throws Exception {
        long oneHost;
        try (LocalStack one = LocalStack.start(root.resolve("one"), settings(Map.of()))) {
            slowGpu(one.emulators());
            oneHost = makespan(one, "one", JOBS).elapsedMs;
        }

        Path two = root.resolve("two");
        Emulators b = TwoGpuHosts.startHostB(two);
        try (LocalStack pool = LocalStack.start(two, settings(TwoGpuHosts.settings(b)))) {
            slowGpu(pool.emulators());
            slowGpu(b);
            Run run = makespan(pool, "two", JOBS);
            double ratio = (double) run.elapsedMs / oneHost;
            System.out.printf("makespan of %d jobs: one host %d ms, two hosts %d ms, ratio %.2f%n", JOBS, oneHost,
                    run.elapsedMs, ratio);
            assertTrue(ratio < 0.75, "two hosts took " + run.elapsedMs + " ms, one host " + oneHost + " ms");
            Placement both = TwoGpuHosts.placement(run.jobs, pool.emulators(), b, false);
            assertEquals(List.of(), both.problems(), "each step ran once, on the host its record names");
            for (String host : List.of("a", "b")) {
                assertTrue(both.stepsPerHost().get(host) > 0, "no step ran on host " + host);
            }

            // a second batch; host b's emulators stop while it works
            List<String> ids = submit(pool, "lost", JOBS);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ids.stream().mapToInt(id -> TwoGpuHosts.workOf(b, id)).sum() >= 2);
            b.close();
            List<JsonNode> done = waitForAll(pool, ids);
            Placement lost = TwoGpuHosts.placement(done, pool.emulators(), b, true);
            assertEquals(List.of(), lost.problems(), "steps finished on b were not redone on a, the rest ran once on a");
            long refusals = done.stream().mapToLong(j -> j.path("events").findValues("action").stream()
                    .filter(a -> a.asText().equals("gpu_host_down")).count()).sum();
            System.out.printf("host b stopped: %d GPU step(s) it had begun ran again on a; %d refusal(s) recorded%n",
                    lost.rerunOnA(), refusals);
            assertTrue(refusals > 0, "no job recorded host b's refusal");
        } finally {
            b.close();
        }
    }

    /**
     * Settings for both runs: the stock tries (talkreel.&lt;service&gt;.retry.attempts): a call cut by the lost host takes
     * it out of rotation, so the one retry goes to the other host.
     */
    private static Map<String, String> settings(Map<String, String> more) {
        return new LinkedHashMap<>(more);
    }

    /**
     * GPU work long enough to dominate the jobs' time, as on a real card: the work around it (downloads, captions,
     * the finish's encode) takes seconds on a busy test machine and is the same with one host or two.
     */
    private static void slowGpu(Emulators e) {
        e.vibevoice.behaviour().latency("tts", Duration.ofMillis(2500));
        e.comfyui.behaviour().latency("execute", Duration.ofMillis(2500));
        e.infinitetalk.behaviour().latency("generate", Duration.ofMillis(3500));
    }

    private record Run(long elapsedMs, List<JsonNode> jobs) {
    }

    private static Run makespan(LocalStack stack, String batch, int jobs) throws Exception {
        long start = System.nanoTime();
        List<JsonNode> done = waitForAll(stack, submit(stack, batch, jobs));
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        long gpu = done.stream().mapToLong(j -> TwoGpuHosts.GPU_STEPS.stream()
                .mapToLong(s -> j.path("steps").path(s).path("elapsed_ms").asLong()).sum()).sum();
        System.out.printf("%s: %d jobs in %d ms, their GPU steps took %d ms in all%n", batch, jobs, elapsed, gpu);
        return new Run(elapsed, done);
    }

    private static List<String> submit(LocalStack stack, String batch, int jobs) throws Exception {
        JobClient client = new JobClient(stack.api(), stack.shared());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            ids.add(client.submit(JobClient.job("https://www.youtube.com/watch?v=" + (batch + "pool" + i + "xxxxxxx")
                    .substring(0, 11), "Pool job " + batch + i + " speaks.")));
        }
        return ids;
    }

    private static List<JsonNode> waitForAll(LocalStack stack, List<String> ids) {
        JobClient client = new JobClient(stack.api(), stack.shared());
        List<JsonNode> done = new ArrayList<>();
        for (String id : ids) {
            JsonNode job = client.waitForEnd(id, Duration.ofSeconds(120));
            assertEquals("done", job.path("status").asText(), job.toString());
            done.add(job);
        }
        return done;
    }
}
