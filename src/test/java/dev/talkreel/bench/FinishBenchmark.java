package dev.talkreel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The time finishing adds to a job, per output profile, on this machine: jobs one at a time against the emulators,
 * each profile in turn, the finish and poster steps' own times read from the result message (from the step's start
 * to its marker: loudness measured, encoded, checked). Prints the profiles side by side. Run by bench/run.sh finish;
 * not a test.
 */
public final class FinishBenchmark {
    private static final List<String> PROFILES = List.of("landscape", "shorts", "square");

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Map<String, List<long[]>> times = new LinkedHashMap<>();
        PROFILES.forEach(p -> times.put(p, new ArrayList<>()));
        Path root = Files.createTempDirectory("talkreel-bench");
        try (LocalStack stack = LocalStack.start(root, Map.of())) {
            JobClient client = new JobClient(stack.api(), stack.shared());
            once(client, stack.shared(), "landscape");
            for (int i = 0; i < runs; i++) {
                for (String profile : PROFILES) {
                    times.get(profile).add(once(client, stack.shared(), profile));
                }
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", "median of " + runs + " jobs", "landscape", "shorts",
                "square");
        String[] rows = {"finish (ms)", "poster (ms)", "finishing added (ms)"};
        // the median, and the fastest run: on a shared machine the least disturbed figure
        for (boolean fastest : new boolean[] {false, true}) {
            for (int r = 0; r < rows.length; r++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s",
                        (fastest ? "fastest: " : "") + rows[r]));
                for (String profile : PROFILES) {
                    line.append(String.format(Locale.ROOT, " %12d", pick(times.get(profile), r, fastest)));
                }
                System.out.println(line);
            }
        }
        System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", "frame", "native", "1080x1920", "1080x1080");
    }

    /** One job of {@code profile}: the finish and poster steps' times, and their sum. */
    private static long[] once(JobClient client, Path shared, String profile) throws Exception {
        String id = client.submit("{\"youtube_url\": \"https://www.youtube.com/watch?v=ao8f3qyMoLM\", \"script\": "
                + "\"A short benchmark sentence, said by a cloned voice.\", \"output_profile\": \"" + profile + "\"}");
        JsonNode done = client.waitForEnd(id, Duration.ofMinutes(10));
        if (!"done".equals(done.path("status").asText())) {
            throw new IllegalStateException(profile + ": job " + id + " " + done.path("status").asText() + ": " + done);
        }
        Path result = JobClient.waitForFile(shared.resolve("outbox/" + id + ".json"), Duration.ofMinutes(1));
        JsonNode steps = JobClient.JSON.readTree(result.toFile()).path("steps");
        long finish = steps.path("finish").path("elapsed_ms").asLong();
        long poster = steps.path("poster").path("elapsed_ms").asLong();
        System.out.printf(Locale.ROOT, "  %-10s finish %6d ms, poster %5d ms%n", profile, finish, poster);
        return new long[] {finish, poster, finish + poster};
    }

    /** The median (the upper one of an even count), or the smallest, of one column. */
    private static long pick(List<long[]> runs, int column, boolean smallest) {
        List<Long> values = new ArrayList<>(runs.stream().map(r -> r[column]).toList());
        Collections.sort(values);
        return values.get(smallest ? 0 : values.size() / 2);
    }
}
