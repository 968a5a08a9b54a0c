package dev.talkreel.bench;

import static dev.talkreel.bench.BenchJobs.atOnce;
import static dev.talkreel.bench.BenchJobs.delete;
import static dev.talkreel.bench.BenchJobs.done;
import static dev.talkreel.bench.BenchJobs.resetCounts;
import static dev.talkreel.bench.BenchJobs.submit;
import static dev.talkreel.bench.Columns.row;
import static dev.talkreel.bench.Columns.seconds;

import dev.talkreel.JobClient;
import dev.talkreel.bench.BenchJobs.AtOnce;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.emulator.GpuMeter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 11's scheduling benchmark: N jobs (20) queued at once on one emulated 32 GB GPU, with issue 10's latencies
 * plus a 4 s model load each time a service loads its model (VibeVoice 18 GB, ComfyUI 20 GB, InfiniteTalk 24 GB while
 * it works: no two fit at once, so the VRAM hand-off frees one for the other), under talkreel.gpu.policy fifo and
 * fewest-loads, side by side: makespan, model loads per service, and makespan / (the GPU step time + the loads of the
 * best schedule: one per model). Run by {@code bench/run.sh gpu [jobs]}; not a test.
 */
public final class GpuBenchmark {
    private static final long LOAD_MS = 4000;
    /** VRAM a call needs, and what stays resident after it (InfiniteTalk keeps a small share, and cannot unload). */
    private static final double VIBEVOICE_GB = 18;
    private static final double COMFYUI_GB = 20;
    private static final double INFINITETALK_GB = 24;
    private static final double INFINITETALK_IDLE_GB = 2;
    /** The best schedule loads each model once: all portraits, then all voices, then all videos. */
    private static final int BEST_LOADS = 3;

    record Result(String policy, int jobs, AtOnce run, GpuTimeline gpu, Map<String, Integer> loads, int unloads,
                  int refusals, double peakGb) {
        int totalLoads() {
            return loads.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** GPU time spent on the steps themselves: busy time less the loads this schedule paid for. */
        long stepMs() {
            return gpu.busyMs() - totalLoads() * LOAD_MS;
        }

        double ratio() {
            return run.toVideoMs() / (double) (stepMs() + BEST_LOADS * LOAD_MS);
        }

        /**
         * Against the services' own step times: each emulator answers its latency after a call came in (its work
         * inside it), so N x 10.5 s is the GPU step time; the busy spans start after it read its inputs.
         */
        double nominalRatio() {
            return run.toVideoMs() / (double) (jobs * Latencies.GPU_PER_JOB + BEST_LOADS * LOAD_MS);
        }
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long began = Columns.begin();
        System.out.printf(Locale.ROOT, "%d jobs queued at once; 32 GB device; model loads %d ms (VibeVoice %.0f GB, "
                + "ComfyUI %.0f GB, InfiniteTalk %.0f GB at work, %.0f GB idle); VRAM hand-off on%n%n", jobs, LOAD_MS,
                VIBEVOICE_GB, COMFYUI_GB, INFINITETALK_GB, INFINITETALK_IDLE_GB);
        List<Result> all = new ArrayList<>();
        for (String policy : List.of("fifo", "fewest-loads")) {
            all.add(run(policy, jobs));
        }
        System.out.println();
        row(all, "", Result::policy, "target (fewest-loads)");
        row(all, "makespan (first submit -> last video)", r -> seconds(r.run().toVideoMs()), "");
        row(all, "to last result published", r -> seconds(r.run().toResultMs()), "");
        row(all, "model loads vibevoice/comfyui/infinitetalk", r -> r.totalLoads() + " (" + r.loads().values()
                .stream().map(String::valueOf).reduce((a, b) -> a + "/" + b).orElse("") + ")",
                "<= 1 per model");
        row(all, "unloads; out-of-memory refusals", r -> r.unloads() + "; " + r.refusals(), "0 refusals");
        row(all, "peak VRAM", r -> String.format(Locale.ROOT, "%.0f GB", r.peakGb()), "<= 32 GB");
        row(all, "GPU busy (loads included); idle between steps", r -> seconds(r.gpu().busyMs()) + "; "
                + seconds(r.gpu().idleMs()), "");
        row(all, "best schedule: GPU step time + " + BEST_LOADS + " loads", r -> seconds(r.stepMs()
                + BEST_LOADS * LOAD_MS), "");
        row(all, "makespan / best schedule", r -> String.format(Locale.ROOT, "%.3f", r.ratio()), "<= 1.05");
        row(all, "makespan / (nominal " + jobs + " x " + seconds(Latencies.GPU_PER_JOB) + " + " + BEST_LOADS
                + " loads)", r -> String.format(Locale.ROOT, "%.3f", r.nominalRatio()), "");
        System.out.println("GPU step time: the emulated GPU's busy spans less the loads paid (each load is spent"
                + " inside a GPU span); loads, unloads, refusals and peak: the emulated device's meter");
        Columns.end(began);
    }

    private static Result run(String policy, int jobs) throws Exception {
        Path root = Files.createTempDirectory("talkreel-bench-gpu");
        try (Emulators emulators = LocalStack.startEmulators(root)) {
            emulators.gpu.setCapacityGb(32);
            emulators.vibevoice.model(VIBEVOICE_GB, VIBEVOICE_GB, Duration.ofMillis(LOAD_MS));
            emulators.comfyui.model(COMFYUI_GB, COMFYUI_GB, Duration.ofMillis(LOAD_MS));
            emulators.infinitetalk.model(INFINITETALK_IDLE_GB, INFINITETALK_GB, Duration.ofMillis(LOAD_MS));
            Map<String, String> settings = Map.of("talkreel.gpu.policy", policy, "talkreel.gpu.vram-handoff", "true");
            try (ChildTalkreel talkreel = ChildTalkreel.start(root, emulators, settings)) {
                System.out.printf(Locale.ROOT, "%s: ready after %d ms%n", policy, talkreel.readyMs());
                JobClient client = new JobClient(talkreel.api(), root.resolve("shared"));
                done(client, submit(client), policy + " warm-up");
                Latencies.apply(emulators);
                // an empty card, as after a restart of the services: every schedule starts from the same place
                for (EmulatorServer gpuService : List.of(emulators.vibevoice, emulators.comfyui, emulators.infinitetalk)) {
                    emulators.gpu.unload(gpuService.name());
                }
                resetCounts(emulators);
                AtOnce run = atOnce(client, jobs, policy);
                GpuMeter meter = emulators.gpu;
                Map<String, Integer> loads = new LinkedHashMap<>();
                for (EmulatorServer s : List.of(emulators.vibevoice, emulators.comfyui, emulators.infinitetalk)) {
                    loads.put(s.name(), meter.loads(s.name()));
                }
                Result r = new Result(policy, jobs, run, GpuTimeline.of(meter), loads, meter.unloads(),
                        meter.refusals(), meter.peakUsed() / (double) GpuMeter.bytes(1));
                System.out.printf(Locale.ROOT, "  %s: last video after %d ms, %d loads %s%n", policy,
                        run.toVideoMs(), r.totalLoads(), loads);
                return r;
            }
        } finally {
            delete(root);
        }
    }
}
