package dev.talkreel.bench;

import static dev.talkreel.bench.BenchJobs.delete;
import static dev.talkreel.bench.BenchJobs.done;
import static dev.talkreel.bench.BenchJobs.ended;
import static dev.talkreel.bench.BenchJobs.resetCounts;
import static dev.talkreel.bench.BenchJobs.submit;
import static dev.talkreel.bench.BenchJobs.submitAll;
import static dev.talkreel.bench.BenchJobs.times;
import static dev.talkreel.bench.Columns.row;
import static dev.talkreel.bench.Columns.seconds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.bench.BenchJobs.AtOnce;
import dev.talkreel.bench.BenchJobs.Batch;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.gpu.TwoGpuHosts;
import dev.talkreel.gpu.TwoGpuHosts.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Issue 11's pool benchmark: N jobs (20) queued at once with issue 10's latencies, side by side in one run, (a) on one
 * emulated GPU host, (b) on two (a second set of VibeVoice, ComfyUI and InfiniteTalk emulators, as GpuPoolIT makes
 * them), (c) on two whose host b's emulators are closed a third into the run (a third of (b)'s makespan): makespan and
 * its ratio to one host, GPU steps and busy time per host, jobs lost, steps rerun on host a and finished steps redone
 * (from the records' gpu_host and the emulators' journals). The emulators' VRAM and model settings are stock, and so is
 * the hand-off (on). Run by {@code bench/run.sh pool [jobs]}; not a test.
 */
public final class PoolBenchmark {
    private static final String ONE = "one host";
    private static final String TWO = "two hosts";
    private static final String LOST = "two, b lost at 1/3";

    /**
     * One column: its batch's times (null when a job did not end done), its jobs' records, what each host's GPU did,
     * where the steps ran, and when host b was closed (ms after the first submission; -1: not closed).
     */
    record Result(String column, int jobs, AtOnce run, List<JsonNode> records, Map<String, GpuTimeline> gpu,
                  Placement placement, long closedAfterMs) {
        long lost() {
            return records.stream().filter(j -> !"done".equals(j.path("status").asText())).count();
        }

        /** GPU steps per host, as the records name them. */
        Map<String, Integer> steps() {
            Map<String, Integer> perHost = new TreeMap<>();
            for (JsonNode job : records) {
                for (String step : TwoGpuHosts.GPU_STEPS) {
                    String host = TwoGpuHosts.host(job, step);
                    perHost.merge(host.isEmpty() ? "default" : host, 1, Integer::sum);
                }
            }
            return perHost;
        }

        long refusals() {
            return records.stream().mapToLong(j -> j.path("events").findValues("action").stream()
                    .filter(a -> a.asText().equals("gpu_host_down")).count()).sum();
        }

        /** Each GPU step's mean time from start to end, in seconds ("voice 3.4 / portrait 2.7 / video 7.2"). */
        String meanSteps() {
            List<String> cells = new ArrayList<>();
            for (String step : TwoGpuHosts.GPU_STEPS) {
                double mean = records.stream().filter(j -> j.path("steps").path(step).hasNonNull("ended"))
                        .mapToLong(j -> BenchJobs.between(Instant.parse(j.path("steps").path(step).path("started")
                                .asText()), BenchJobs.ended(j, step))).average().orElse(0);
                cells.add(String.format(Locale.ROOT, "%.1f", mean / 1e3));
            }
            return String.join(" / ", cells);
        }

        String ratioTo(Result one) {
            return run == null || one.run == null ? "n/a" : String.format(Locale.ROOT, "%.2f",
                    run.toVideoMs() / (double) one.run.toVideoMs());
        }

        /** The makespan if the GPU were the only limit: every job's GPU time spread over the hosts that ran it. */
        long gpuBoundMs() {
            return jobs * Latencies.GPU_PER_JOB / gpu.size();
        }
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long began = Columns.begin();
        System.out.printf(Locale.ROOT, "%d jobs queued at once; emulated GPUs at stock VRAM and model settings, "
                + "VRAM hand-off on; in the third column host b's emulators are closed a third into the two hosts' "
                + "makespan%n%n", jobs);
        Result one = oneHost(jobs);
        Result two = twoHosts(TWO, jobs, -1);
        // a third into the run: a third of the makespan the two hosts just took (of half one host's, had they failed)
        Result lost = twoHosts(LOST, jobs, (two.run() != null ? two.run() : one.run()).toVideoMs() / 3);
        List<Result> all = List.of(one, two, lost);
        System.out.println();
        row(all, "", Result::column, "target");
        row(all, "makespan (first submit -> last video)", r -> r.run() == null ? "n/a" : seconds(r.run().toVideoMs()),
                "");
        row(all, "to last result published", r -> r.run() == null ? "n/a" : seconds(r.run().toResultMs()), "");
        row(all, "makespan / one host's", r -> r.ratioTo(one), "two hosts about half (<= 0.55)");
        row(all, "GPU-bound makespan (N x GPU per job / hosts)", r -> seconds(r.gpuBoundMs()), "");
        row(all, "jobs done; lost", r -> (r.jobs() - r.lost()) + "; " + r.lost(), "0 lost");
        row(all, "GPU steps per host", r -> perHost(r.steps(), String::valueOf), "");
        row(all, "GPU busy per host", r -> perHost(r.gpu(), g -> seconds(g.busyMs())), "");
        row(all, "mean voice / portrait / video step (s)", Result::meanSteps, "latencies 3.0 / 2.5 / 5.0");
        row(all, "GPU idle between its steps, per host", r -> perHost(r.gpu(), g -> seconds(g.idleMs())), "");
        row(all, "host b closed after", r -> r.closedAfterMs() < 0 ? "-" : seconds(r.closedAfterMs()), "");
        row(all, "host-down refusals recorded", r -> String.valueOf(r.refusals()), "");
        row(all, "GPU steps rerun on a; finished steps redone", r -> r.placement() == null ? "-"
                : r.placement().rerunOnA() + "; " + r.placement().problems().size(), "0 redone");
        for (Result r : all) {
            if (r.placement() != null) {
                r.placement().problems().forEach(p -> System.out.println(r.column() + ": " + p));
            }
        }
        System.out.println("GPU busy: the emulated GPUs' busy spans (host a: the stack's emulators, b: the second"
                + " set; one host's is named default); rerun and redone: each step's record (gpu_host) against the"
                + " work each host's emulators journaled");
        Columns.end(began);
    }

    private static Result oneHost(int jobs) throws Exception {
        Path root = Files.createTempDirectory("talkreel-bench-pool");
        try (Emulators emulators = LocalStack.startEmulators(root);
             ChildTalkreel talkreel = ChildTalkreel.start(root, emulators, Map.of())) {
            System.out.printf(Locale.ROOT, "%s: ready after %d ms%n", ONE, talkreel.readyMs());
            JobClient client = warmUp(talkreel, root, ONE, emulators);
            Batch batch = submitAll(client, scripts(jobs));
            List<JsonNode> records = ended(client, batch);
            return result(ONE, batch, records, Map.of("default", GpuTimeline.of(emulators.gpu)), null, -1);
        } finally {
            delete(root);
        }
    }

    /** Two hosts; host b's emulators closed {@code closeBAfterMs} after the first submission (-1: never). */
    private static Result twoHosts(String column, int jobs, long closeBAfterMs) throws Exception {
        Path root = Files.createTempDirectory("talkreel-bench-pool");
        try (Emulators a = LocalStack.startEmulators(root);
             Emulators b = TwoGpuHosts.startHostB(root);
             ChildTalkreel talkreel = ChildTalkreel.start(root, a, TwoGpuHosts.settings(b))) {
            System.out.printf(Locale.ROOT, "%s: ready after %d ms%n", column, talkreel.readyMs());
            JobClient client = warmUp(talkreel, root, column, a, b);
            Batch batch = submitAll(client, scripts(jobs));
            long closedAfter = -1;
            if (closeBAfterMs >= 0) {
                // the moment itself is what is asked for (a point in the run's time), not an event to wait for
                Thread.sleep(Math.max(0, closeBAfterMs - BenchJobs.between(batch.submitted().get(0), Instant.now())));
                int begunOnB = gpuWorkBegun(b);
                b.close();
                closedAfter = BenchJobs.between(batch.submitted().get(0), Instant.now());
                System.out.printf(Locale.ROOT, "  %s: host b closed after %d ms, having begun %d GPU steps (host a"
                        + " %d)%n", column, closedAfter, begunOnB, gpuWorkBegun(a));
            }
            List<JsonNode> records = ended(client, batch);
            Map<String, GpuTimeline> gpu = new LinkedHashMap<>();
            gpu.put("a", GpuTimeline.of(a.gpu));
            gpu.put("b", GpuTimeline.of(b.gpu));
            return result(column, batch, records, gpu, TwoGpuHosts.placement(records, a, b, closedAfter >= 0),
                    closedAfter);
        } finally {
            delete(root);
        }
    }

    /**
     * A warm-up job (its JIT and first loads), then issue 10's latencies on every emulator and their counts cleared.
     */
    private static JobClient warmUp(ChildTalkreel talkreel, Path root, String column, Emulators... hosts)
            throws Exception {
        JobClient client = new JobClient(talkreel.api(), root.resolve("shared"));
        done(client, submit(client), column + " warm-up");
        for (Emulators host : hosts) {
            Latencies.apply(host);
            resetCounts(host);
        }
        return client;
    }

    private static Result result(String column, Batch batch, List<JsonNode> records, Map<String, GpuTimeline> gpu,
                                 Placement placement, long closedAfterMs) {
        boolean allDone = records.stream().allMatch(j -> "done".equals(j.path("status").asText()));
        Result r = new Result(column, records.size(), allDone ? times(batch, records, column) : null, records, gpu,
                placement, closedAfterMs);
        for (int i = 0; i < records.size(); i++) {
            JsonNode job = records.get(i);
            System.out.printf(Locale.ROOT, "    job %d %s: %s%n", i + 1, job.path("status").asText(),
                    BenchJobs.stepTimes(job, batch.submitted().get(0)));
        }
        String makespan = r.run() == null ? "no makespan" : "last video after " + r.run().toVideoMs() + " ms";
        System.out.printf(Locale.ROOT, "  %s: %s, %d lost, GPU steps per host %s%n", column, makespan, r.lost(),
                r.steps());
        return r;
    }

    /** A script per job, each its own: a voice step's work is told apart by its text in VibeVoice's journal. */
    private static List<String> scripts(int jobs) {
        return IntStream.rangeClosed(1, jobs).mapToObj(i -> BenchJobs.SCRIPT + " Take " + i + ".").toList();
    }

    /** GPU steps whose work the host's emulators have begun: voices, portraits and videos journaled. */
    private static int gpuWorkBegun(Emulators host) {
        return host.vibevoice.calls().journal().size() + host.comfyui.calls().journal().size()
                + host.infinitetalk.calls().journal().size();
    }

    private static <T> String perHost(Map<String, T> perHost, Function<T, String> cell) {
        List<String> cells = new ArrayList<>();
        perHost.forEach((host, value) -> cells.add(host + " " + cell.apply(value)));
        return String.join(" / ", cells);
    }
}
