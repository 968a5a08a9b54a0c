package dev.talkreel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Emulators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One job, end to end, with the emulators slowed to fixed latencies: yttools 2 s, VibeVoice 3 s, ComfyUI 2.5 s,
 * InfiniteTalk 5 s. Prints the measured time next to the ideal critical path under one GPU slot, their ratio, and the
 * HTTP calls each step made, for quick polls and for the production poll intervals. Run by bench/run.sh; not a test.
 */
public final class PipelineBenchmark {
    private static final long AUDIO = 2000;
    private static final long VOICE = 3000;
    private static final long PORTRAIT = 2500;
    private static final long VIDEO = 5000;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        // With one GPU slot the portrait (GPU) runs while yttools cuts the sample (no GPU); the voice waits for both.
        long portraitFirst = Math.max(AUDIO, PORTRAIT) + VOICE + VIDEO;
        long voiceFirst = AUDIO + VOICE + PORTRAIT + VIDEO;
        long ideal = Math.min(portraitFirst, voiceFirst);
        long unlimited = Math.max(AUDIO + VOICE, PORTRAIT) + VIDEO;
        System.out.printf(Locale.ROOT, "latencies: yttools %.1f s, vibevoice %.1f s, comfyui %.1f s, infinitetalk %.1f s%n",
                AUDIO / 1e3, VOICE / 1e3, PORTRAIT / 1e3, VIDEO / 1e3);
        System.out.printf(Locale.ROOT, "ideal critical path with 1 GPU slot: %.2f s (with unlimited GPUs: %.2f s)%n",
                ideal / 1e3, unlimited / 1e3);
        List<String> table = new ArrayList<>();
        table.add(String.format(Locale.ROOT, "%-34s %9s %9s %7s   %s", "setting", "measured", "ideal", "ratio",
                "HTTP calls per job: audio / voice / portrait / video"));
        table.add(run("quick polls (250 ms)", Map.of("talkreel.yttools.poll-interval-ms", "250",
                "talkreel.comfyui.poll-interval-ms", "250"), runs, ideal));
        table.add(run("production polls (3 s / 5 s)", Map.of("talkreel.yttools.poll-interval-ms", "3000",
                "talkreel.comfyui.poll-interval-ms", "5000"), runs, ideal));
        System.out.println();
        table.forEach(System.out::println);
    }

    private static String run(String name, Map<String, String> settings, int runs, long ideal) throws Exception {
        Path root = Files.createTempDirectory("talkreel-bench");
        try (LocalStack stack = LocalStack.start(root, settings)) {
            JobClient client = new JobClient(stack.api(), stack.shared());
            Emulators emulators = stack.emulators();
            once(client, "warm-up");
            emulators.yttools.behaviour().latency("task", Duration.ofMillis(AUDIO));
            emulators.vibevoice.behaviour().latency("tts", Duration.ofMillis(VOICE));
            emulators.comfyui.behaviour().latency("execute", Duration.ofMillis(PORTRAIT));
            emulators.infinitetalk.behaviour().latency("generate", Duration.ofMillis(VIDEO));
            List<Long> times = new ArrayList<>();
            int[] calls = new int[4];
            for (int i = 0; i < runs; i++) {
                emulators.all().forEach(e -> e.calls().reset());
                times.add(once(client, name + " #" + (i + 1)));
                int j = 0;
                for (EmulatorServer e : emulators.all()) {
                    calls[j++] = e.calls().total();
                }
            }
            Collections.sort(times);
            long median = times.get(times.size() / 2);
            return String.format(Locale.ROOT, "%-34s %8.2fs %8.2fs %7.3f   %d / %d / %d / %d  (median of %d, runs %s ms)",
                    name, median / 1e3, ideal / 1e3, (double) median / ideal, calls[0], calls[1], calls[2], calls[3],
                    runs, times);
        }
    }

    /** Submits a job and returns its end-to-end time in milliseconds, from the POST to the result on disk. */
    private static long once(JobClient client, String label) throws Exception {
        long start = System.nanoTime();
        String id = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM",
                "A short benchmark sentence, said by a cloned voice."));
        JsonNode done = client.waitForEnd(id, Duration.ofMinutes(5));
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (!"done".equals(done.path("status").asText())) {
            throw new IllegalStateException(label + ": job " + id + " " + done.path("status").asText() + ": " + done);
        }
        System.out.printf(Locale.ROOT, "  %-36s %6.2f s%n", label, ms / 1e3);
        return ms;
    }
}
