package dev.talkreel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.emulator.Emulators;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The benchmarks' jobs: one sample job, submitted and waited for, and its times read from its record. */
final class BenchJobs {
    static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    static final String SCRIPT = "A short benchmark sentence, said by a cloned voice.";

    /** Jobs submitted at once: first submission to the last video done and to the last result published. */
    record AtOnce(long toVideoMs, long toResultMs, long lifetimesMs) {
    }

    private BenchJobs() {
    }

    static String submit(JobClient client) throws Exception {
        return client.submit(JobClient.job(URL, SCRIPT));
    }

    /** Waits for the job's end (15 minutes at most); its record, which must say done. */
    static JsonNode done(JobClient client, String id, String label) {
        JsonNode job = client.waitForEnd(id, Duration.ofMinutes(15));
        if (!"done".equals(job.path("status").asText())) {
            throw new IllegalStateException(label + ": job " + id + " " + job.path("status").asText() + ": " + job);
        }
        return job;
    }

    /** Submits {@code jobs} jobs back to back, then waits for them all. */
    static AtOnce atOnce(JobClient client, int jobs, String label) throws Exception {
        Instant first = Instant.now();
        List<String> ids = new ArrayList<>();
        List<Instant> submitted = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            submitted.add(Instant.now());
            ids.add(submit(client));
        }
        Instant lastVideo = first;
        Instant lastResult = first;
        long lifetimes = 0;
        for (int i = 0; i < jobs; i++) {
            JsonNode job = done(client, ids.get(i), label + " job " + (i + 1));
            lastVideo = later(lastVideo, ended(job, "video"));
            lastResult = later(lastResult, finished(job));
            lifetimes += between(submitted.get(i), finished(job));
        }
        return new AtOnce(between(first, lastVideo), between(first, lastResult), lifetimes);
    }

    static Instant ended(JsonNode job, String step) {
        return Instant.parse(job.path("steps").path(step).path("ended").asText());
    }

    static Instant finished(JsonNode job) {
        return Instant.parse(job.path("finished").asText());
    }

    static long between(Instant from, Instant to) {
        return Duration.between(from, to).toMillis();
    }

    static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Clears the call counts and the GPU meter's counters, keeping the latencies. */
    static void resetCounts(Emulators emulators) {
        emulators.all().forEach(e -> e.calls().reset());
        emulators.gpu.reset();
    }

    /** Requests each emulator received since the last reset: yttools, VibeVoice, ComfyUI, InfiniteTalk. */
    static int[] requests(Emulators emulators) {
        return emulators.all().stream().mapToInt(e -> e.calls().total()).toArray();
    }

    static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
