package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.CallLog;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.emulator.RenderCache;
import dev.talkreel.emulator.yttools.YttoolsEmulator;
import dev.talkreel.pipeline.JobSlots;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * 100 jobs at once: 50 posted over HTTP and 50 dropped into the inbox together, against the emulators, with the
 * stock poll settings of config/application.properties for the watchers, the inbox and yttools (3 s), and the
 * yttools emulator working on 2 tasks at a time. Every job must end done, none twice: exactly one record, one outbox
 * video and one run of each service step per job; the GPU never runs two things at once, yttools never holds more
 * tasks than talkreel.yttools.max-in-flight, no step has more jobs than talkreel.watch.max-parallel-jobs. Prints the
 * wall time, the peak RSS of the process (VmHWM) and the heap.
 *
 * <p>Sized for CI: 100 jobs, as every job now also runs its captions and finishing steps (ffmpeg passes of its own):
 * 200 took 698 s on 2 cores, over CI's budget; {@code -Dload.jobs=200} runs that batch. The GPU steps run one after
 * another. The emulators reuse identical renders (RenderCache, a real file copied each time): yttools' audio and
 * VibeVoice's speech are the same for every job here. Each job's portrait differs (its seed comes from the job id), so InfiniteTalk still encodes every video with
 * ffmpeg. ComfyUI is polled every 0.5 s instead of every 5 s: the portrait holds the one GPU slot while it is
 * polled, so 200 portraits at the stock 5 s would need 17 minutes of GPU time on their own.
 * {@code -Dload.jobs=N} runs another batch (an even number; half HTTP, half inbox).
 */
class LoadIT {
    private static final int JOBS = Integer.getInteger("load.jobs", 100);
    private static final Duration DEADLINE = Duration.ofMinutes(30);
    /** ComfyUI's poll interval in this test (stock: 5000 ms), see the class comment. */
    private static final String COMFYUI_POLL_MS = "500";
    private static final int YTTOOLS_TASK_MS = 1000;

    @Test
    void twoHundredJobsAtOnceAllEndDoneOnceEach() throws Exception {
        // under target/, not /tmp: other builds on the machine clean /tmp
        Path root = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "load-test-").toAbsolutePath();
        Properties stock = stockSettings();
        Map<String, String> settings = new LinkedHashMap<>();
        // LocalStack polls quickly for the other tests; here the stock values apply again
        for (String key : List.of("talkreel.yttools.poll-interval-ms", "talkreel.watch.poll-ms", "talkreel.inbox.poll-ms",
                "talkreel.inbox.read-lock-interval-ms")) {
            settings.put(key, stock.getProperty(key).trim());
        }
        settings.put("talkreel.comfyui.poll-interval-ms", COMFYUI_POLL_MS);
        int maxInFlight = Integer.parseInt(stock.getProperty("talkreel.yttools.max-in-flight").trim());
        int maxParallel = Integer.parseInt(stock.getProperty("talkreel.watch.max-parallel-jobs").trim());

        RenderCache.enable(true);
        Sampler sampler = new Sampler();
        try (LocalStack stack = LocalStack.start(root, settings)) {
            Emulators emulators = stack.emulators();
            emulators.yttools.behaviour().latency("task", Duration.ofMillis(YTTOOLS_TASK_MS));
            JobSlots jobSlots = stack.camel().getRegistry().lookupByNameAndType("jobSlots", JobSlots.class);
            sampler.watch(jobSlots);
            JobClient client = new JobClient(stack.api(), stack.shared());
            System.gc();
            long rssBefore = Sampler.procStatus("VmRSS");
            long heapBefore = heapUsed();
            sampler.start();

            long t0 = System.nanoTime();
            ExecutorService senders = Executors.newFixedThreadPool(16);
            List<Future<String>> posted = new ArrayList<>();
            List<Future<Path>> dropped = new ArrayList<>();
            for (int i = 0; i < JOBS / 2; i++) {
                String http = JobClient.job("https://www.youtube.com/watch?v=" + videoId("h", i), script("h", i));
                String file = JobClient.job("https://youtu.be/" + videoId("f", i), script("f", i));
                int n = i;
                posted.add(senders.submit(() -> client.submit(http)));
                dropped.add(senders.submit(() -> client.drop(String.format("load-%03d.json", n), file)));
            }
            for (Future<String> f : posted) {
                f.get();
            }
            for (Future<Path> f : dropped) {
                f.get();
            }
            senders.shutdown();
            long submittedMs = (System.nanoTime() - t0) / 1_000_000;

            Map<String, Integer> statuses = waitForAll(stack.shared(), t0);
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            sampler.stop();
            System.gc();
            long heapAfter = heapUsed();

            List<JsonNode> jobs = records(stack.shared());
            long outboxVideos;
            try (Stream<Path> s = Files.list(stack.shared().resolve("outbox"))) {
                outboxVideos = s.filter(p -> p.toString().endsWith(".mp4")).count();
            }
            System.out.printf("LoadIT: %d jobs (%d HTTP + %d inbox, all sent within %d ms): %s in %.1f s wall time%n",
                    JOBS, JOBS / 2, JOBS / 2, submittedMs, statuses, wallMs / 1000.0);
            System.out.printf("LoadIT: RSS %d MB before, peak %d MB sampled, VmHWM %d MB; heap used %d MB before, "
                    + "peak %d MB sampled, %d MB after GC%n", rssBefore >> 10, sampler.maxRss.get() >> 10,
                    Sampler.procStatus("VmHWM") >> 10, heapBefore >> 20, sampler.maxHeap.get() >> 20, heapAfter >> 20);
            System.out.printf("LoadIT: most yttools tasks open at the service %d (limit %d, %d workers); most jobs "
                    + "in one step %s (limit %d); GPU max concurrent %d over %d runs; renders made %d, reused %d%n",
                    emulators.yttools.maxOpenTasks(), maxInFlight, YttoolsEmulator.WORKERS, sampler.maxBusy,
                    maxParallel, emulators.gpu.maxConcurrent(), emulators.gpu.runs(), RenderCache.renders(),
                    RenderCache.hits());
            System.out.printf("LoadIT: calls %s%n", callCounts(emulators));

            assertEquals(JOBS, jobs.size(), "exactly one job record per submitted job");
            assertEquals(Map.of("done", JOBS), statuses, "every job done, none failed");
            assertEquals(JOBS, outboxVideos, "one outbox video per job");
            assertOncePerJob(emulators.yttools, "download ");
            assertOncePerJob(emulators.vibevoice, "tts ");
            assertOncePerJob(emulators.comfyui, "execute ");
            assertOncePerJob(emulators.infinitetalk, "generate ");
            assertEquals(1, emulators.gpu.maxConcurrent(), emulators.gpu.firstOverlap());
            assertNull(emulators.gpu.firstOverlap());
            assertTrue(emulators.yttools.maxOpenTasks() <= maxInFlight,
                    "yttools had " + emulators.yttools.maxOpenTasks() + " tasks open, over " + maxInFlight);
            sampler.maxBusy.forEach((step, most) -> assertTrue(most <= maxParallel, step + " had " + most + " jobs"));
        } finally {
            sampler.stop();
            RenderCache.enable(false);
        }
        deleteTree(root);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Waits until every job's record says it ended; returns how many ended how. Prints progress now and then. */
    private static Map<String, Integer> waitForAll(Path shared, long t0) throws Exception {
        long[] nextReport = {System.nanoTime()};
        AtomicReference<Map<String, Integer>> statuses = new AtomicReference<>(Map.of());
        boolean allEnded = JobClient.eventually(Duration.ofNanos(Math.max(1, t0 + DEADLINE.toNanos() - System.nanoTime())),
                Duration.ofSeconds(1), () -> {
                    Map<String, Integer> now = new TreeMap<>();
                    for (JsonNode job : records(shared)) {
                        now.merge(job.path("status").asText(), 1, Integer::sum);
                    }
                    statuses.set(now);
                    if (System.nanoTime() >= nextReport[0]) {
                        System.out.printf("LoadIT: %3d s %s%n", (System.nanoTime() - t0) / 1_000_000_000L, now);
                        nextReport[0] = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    }
                    return now.getOrDefault("done", 0) + now.getOrDefault("failed", 0)
                            + now.getOrDefault("cancelled", 0) >= JOBS;
                });
        if (!allEnded) {
            throw new AssertionError("not every job ended within " + DEADLINE + ": " + statuses.get());
        }
        return statuses.get();
    }

    /** Every job record on the volume, wherever it is kept (jobs/ or the archive), never the inbox's files. */
    private static List<JsonNode> records(Path shared) throws IOException {
        return JobClient.allRecords(shared);
    }

    /** The emulator started the work of each job exactly once: one journal entry per job, all different. */
    private static void assertOncePerJob(EmulatorServer emulator, String prefix) {
        List<CallLog.Work> work = emulator.calls().journal().stream().filter(w -> w.key().startsWith(prefix)).toList();
        Set<String> distinct = new HashSet<>();
        work.forEach(w -> distinct.add(w.key()));
        assertEquals(JOBS, distinct.size(), emulator.name() + ": jobs it worked for");
        assertEquals(JOBS, work.size(), emulator.name() + ": no job's work started twice");
    }

    private static Map<String, Integer> callCounts(Emulators emulators) {
        Map<String, Integer> calls = new LinkedHashMap<>();
        for (EmulatorServer e : emulators.all()) {
            e.calls().snapshot().forEach((op, n) -> calls.put(e.name() + " " + op, n));
        }
        return calls;
    }

    /** An 11-character YouTube id of its own per job, so each job's yttools task can be told apart. */
    private static String videoId(String kind, int i) {
        return String.format("load%s%06d", kind, i);
    }

    /** A script of the same length for every job (so the speech is the same), naming the job. */
    private static String script(String kind, int i) {
        return "Load test job " + kind + i + " says hello to everybody watching.";
    }

    private static long heapUsed() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    private static Properties stockSettings() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("config/application.properties"))) {
            p.load(in);
        }
        return p;
    }

    /** Samples RSS, heap and the busiest step every 200 ms on a thread of its own. */
    private static final class Sampler {
        final AtomicLong maxRss = new AtomicLong();
        final AtomicLong maxHeap = new AtomicLong();
        final Map<String, Integer> maxBusy = new ConcurrentHashMap<>();
        private volatile JobSlots slots;
        private volatile boolean running;
        private Thread thread;

        void watch(JobSlots jobSlots) {
            slots = jobSlots;
        }

        void start() {
            running = true;
            thread = new Thread(() -> {
                while (running) {
                    maxRss.accumulateAndGet(procStatus("VmRSS"), Math::max);
                    maxHeap.accumulateAndGet(heapUsed(), Math::max);
                    for (String step : List.of("audio", "voice", "portrait")) {
                        maxBusy.merge(step, slots.busy(step), Math::max);
                    }
                    try {
                        Thread.sleep(200); // the sampling period of the resource monitor
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "load-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            if (thread != null) {
                thread.join(2000);
            }
        }

        /** A figure of /proc/self/status in KiB (VmRSS, VmHWM), or 0 where there is no /proc. */
        static long procStatus(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith(field + ":")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return 0;
            }
            return 0;
        }
    }
}
