package dev.talkreel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.OperatingSystemMXBean;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does talkreel's cost grow with its history? The same measurements on an empty shared volume and on one holding
 * 10,000 finished jobs, side by side in one run: start-up (to the API answering), CPU used while idle, one job's
 * time end to end, and GET /api/jobs. Finished jobs live in the archive, out of the watchers' way; the third column
 * is a volume whose 10,000 done jobs are still among the live ones (the layout before the archive), measured on its
 * first start, which moves them over. Start-up is the median of three starts (the orchestrator alone restarted). The list asks for 4 jobs: as many as the empty volume has by then (the benchmark's
 * own), so that both read as many records. Run by bench/run.sh history; not a test.
 */
public final class HistoryBenchmark {
    private static final int HISTORY = 10_000;
    // not a multiple of the API's keep-alive limit (talkreel.http.header-timeout-ms, 10 s): a request sent just as the
    // server closes an idle connection would meet a closed socket
    private static final Duration IDLE = Duration.ofSeconds(12);
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    record Figures(String name, long startMs, double idleCpuPercent, long jobMs, double listMs) {
    }

    public static void main(String[] args) throws Exception {
        int history = args.length > 0 ? Integer.parseInt(args[0]) : HISTORY;
        // a first start warms the JVM (classes, JIT, ffmpeg's first run): not counted
        measure("warm-up, empty volume", 0, true);
        List<Figures> all = new ArrayList<>();
        all.add(measure("empty volume", 0, true));
        all.add(measure(history + " finished jobs, archived", history, true));
        all.add(measure(history + " finished jobs in jobs/ (first start)", history, false));
        Figures base = all.get(0);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-44s %10s %10s %10s %12s%n", "volume", "start", "idle CPU", "one job",
                "GET /api/jobs?limit=4");
        for (Figures f : all) {
            System.out.printf(Locale.ROOT, "%-44s %8d ms %8.2f %% %8d ms %9.1f ms%n", f.name(), f.startMs(),
                    f.idleCpuPercent(), f.jobMs(), f.listMs());
        }
        for (Figures f : all.subList(1, all.size())) {
            System.out.printf(Locale.ROOT, "ratio to empty, %-28s start %.2f, idle CPU %+.2f points, one job %.2f, list %.2f%n",
                    f.name() + ":", (double) f.startMs() / base.startMs(), f.idleCpuPercent() - base.idleCpuPercent(),
                    (double) f.jobMs() / base.jobMs(), f.listMs() / base.listMs());
        }
    }

    private static Figures measure(String name, int history, boolean archived) throws Exception {
        Path root = Files.createTempDirectory("talkreel-history");
        if (history > 0) {
            long t = System.nanoTime();
            History.write(root.resolve("shared"), history, archived);
            System.out.printf(Locale.ROOT, "  %s: wrote %d finished jobs in %d ms%n", name, history,
                    (System.nanoTime() - t) / 1_000_000);
        }
        // stock watcher and supervisor intervals: idle cost is what they spend
        Map<String, String> stock = Map.of("talkreel.watch.poll-ms", "250", "talkreel.inbox.poll-ms", "500",
                "talkreel.supervise.interval-ms", "10000");
        long start = System.nanoTime();
        try (LocalStack stack = LocalStack.start(root, stock)) {
            JobClient client = new JobClient(stack.api(), stack.shared());
            List<Long> starts = new ArrayList<>(List.of(upAfter(client, start)));
            // the start again, twice (the first start of a volume in the old layout moves it over: that one counts)
            for (int i = 0; i < 2 && archived; i++) {
                long again = System.nanoTime();
                stack.restartOrchestrator(() -> { });
                starts.add(upAfter(client, again));
            }
            Collections.sort(starts);
            long startMs = archived ? starts.get(starts.size() / 2) : starts.get(0);
            once(client); // warm-up: the JIT, ffmpeg's first start
            long cpu = OS.getProcessCpuTime();
            long t = System.nanoTime();
            Thread.sleep(IDLE.toMillis()); // the measurement itself: what talkreel spends doing nothing
            double idle = 100.0 * (OS.getProcessCpuTime() - cpu) / (System.nanoTime() - t);
            List<Long> jobs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                jobs.add(once(client));
            }
            Collections.sort(jobs);
            long lt = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                client.get("/api/jobs?limit=4");
            }
            double listMs = (System.nanoTime() - lt) / 20 / 1e6;
            Figures f = new Figures(name, startMs, idle, jobs.get(1), listMs);
            System.out.printf(Locale.ROOT, "  %s: start %d ms, idle CPU %.2f %%, jobs %s ms, list %.1f ms%n", name,
                    startMs, idle, jobs, listMs);
            return f;
        }
    }

    /** Milliseconds from {@code start} until the API answers. */
    private static long upAfter(JobClient client, long start) {
        client.waitUntilUp(Duration.ofMinutes(2));
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long once(JobClient client) throws Exception {
        long start = System.nanoTime();
        String id = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "History does not slow me."));
        JsonNode done = client.waitForEnd(id, Duration.ofMinutes(3));
        if (!"done".equals(done.path("status").asText())) {
            throw new IllegalStateException("job " + id + " " + done);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}
