package dev.talkreel.gpu;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.CallLog;
import dev.talkreel.emulator.Emulators;
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
    private static final String[] GPU_STEPS = {"voice", "portrait", "video"};

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
        Emulators b = Emulators.startOnFreePorts(two.resolve("shared"), two.resolve("infinitetalk-output"),
                two.resolve("emulators-b"));
        try (LocalStack pool = LocalStack.start(two, settings(poolOf(b)))) {
            slowGpu(pool.emulators());
            slowGpu(b);
            Run run = makespan(pool, "two", JOBS);
            double ratio = (double) run.elapsedMs / oneHost;
            System.out.printf("makespan of %d jobs: one host %d ms, two hosts %d ms, ratio %.2f%n", JOBS, oneHost,
                    run.elapsedMs, ratio);
            assertTrue(ratio < 0.75, "two hosts took " + run.elapsedMs + " ms, one host " + oneHost + " ms");
            for (String host : List.of("a", "b")) {
                assertTrue(run.jobs.stream().anyMatch(j -> ranOn(j, host)), "no step ran on host " + host);
            }
            for (JsonNode job : run.jobs) {
                for (String step : GPU_STEPS) {
                    String host = job.path("steps").path(step).path("details").path("gpu_host").asText();
                    assertTrue(host.equals("a") || host.equals("b"), step + " names no host: " + job);
                    assertEquals(1, work(host.equals("a") ? pool.emulators() : b, job, step),
                            "each step ran once, on the host its record names: " + step + " of " + job);
                }
            }

            // a second batch; host b's emulators stop while it works
            List<String> ids = submit(pool, "lost", JOBS);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ids.stream().mapToInt(id -> workOf(b, id)).sum() >= 2);
            b.close();
            List<JsonNode> done = waitForAll(pool, ids);
            int movedSteps = 0;
            for (JsonNode job : done) {
                for (String step : GPU_STEPS) {
                    String host = job.path("steps").path(step).path("details").path("gpu_host").asText();
                    int onA = work(pool.emulators(), job, step);
                    int onB = work(b, job, step);
                    if (host.equals("b")) {
                        // finished on b before it stopped: not redone on a
                        assertEquals(0, onA, step + " finished on b was redone on a: " + job);
                        assertEquals(1, onB, step + " of " + job);
                    } else {
                        assertEquals("a", host, step + " names no host: " + job);
                        assertEquals(1, onA, step + " ran once on a: " + job);
                        movedSteps += onB;
                    }
                }
            }
            long refusals = done.stream().mapToLong(j -> j.path("events").findValues("action").stream()
                    .filter(a -> a.asText().equals("gpu_host_down")).count()).sum();
            System.out.printf("host b stopped: %d GPU step(s) it had begun ran again on a; %d refusal(s) recorded%n",
                    movedSteps, refusals);
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

    /** Host a: the stack's own emulators (the one-host URL settings); host b: the second set. */
    private static Map<String, String> poolOf(Emulators b) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("talkreel.gpu.hosts", "a,b");
        for (String service : new String[] {"vibevoice", "comfyui", "infinitetalk"}) {
            s.put("talkreel.gpu.host.a." + service + ".url", "{{talkreel." + service + ".url}}");
        }
        s.put("talkreel.gpu.host.b.vibevoice.url", b.vibevoice.baseUrl());
        s.put("talkreel.gpu.host.b.comfyui.url", b.comfyui.baseUrl());
        s.put("talkreel.gpu.host.b.infinitetalk.url", b.infinitetalk.baseUrl());
        s.put("talkreel.gpu.host.a.slots", "1");
        s.put("talkreel.gpu.host.b.slots", "1");
        return s;
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
        long gpu = done.stream().mapToLong(j -> List.of(GPU_STEPS).stream()
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

    private static boolean ranOn(JsonNode job, String host) {
        return job.path("steps").findValues("gpu_host").stream().anyMatch(h -> h.asText().equals(host));
    }

    /** GPU work the host's emulators began for the job's step (its speech text, or its job id in the key). */
    private static int work(Emulators e, JsonNode job, String step) {
        String id = job.path("job_id").asText();
        List<CallLog.Work> journal = switch (step) {
            case "voice" -> e.vibevoice.calls().journal();
            case "portrait" -> e.comfyui.calls().journal();
            default -> e.infinitetalk.calls().journal();
        };
        String mark = step.equals("voice") ? job.path("input").path("script").asText() : id;
        return (int) journal.stream().filter(w -> w.key().contains(mark)).count();
    }

    /** GPU work of any kind the host's emulators began for the job (portraits and videos name the job). */
    private static int workOf(Emulators e, String jobId) {
        List<CallLog.Work> all = new ArrayList<>(e.comfyui.calls().journal());
        all.addAll(e.infinitetalk.calls().journal());
        return (int) all.stream().filter(w -> w.key().contains(jobId)).count();
    }
}
