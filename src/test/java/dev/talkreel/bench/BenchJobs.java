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
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
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
        return requireDone(client.waitForEnd(id, Duration.ofMinutes(15)), label);
    }

    private static JsonNode requireDone(JsonNode job, String label) {
        if (!"done".equals(job.path("status").asText())) {
            throw new IllegalStateException(label + ": job " + job.path("job_id").asText() + " "
                    + job.path("status").asText() + ": " + job);
        }
        return job;
    }

    /** Jobs submitted back to back: their ids and when each went in. */
    record Batch(List<String> ids, List<Instant> submitted) {
    }

    /** Submits {@code jobs} jobs back to back, then waits for them all. */
    static AtOnce atOnce(JobClient client, int jobs, String label) throws Exception {
        Batch batch = submitAll(client, Collections.nCopies(jobs, SCRIPT));
        return times(batch, ended(client, batch), label);
    }

    /** Submits one job per script, back to back. */
    static Batch submitAll(JobClient client, List<String> scripts) throws Exception {
        List<String> ids = new ArrayList<>();
        List<Instant> submitted = new ArrayList<>();
        for (String script : scripts) {
            submitted.add(Instant.now());
            ids.add(client.submit(JobClient.job(URL, script)));
        }
        return new Batch(ids, submitted);
    }

    /** Each job's record once it ended (15 minutes at most each), done or not. */
    static List<JsonNode> ended(JobClient client, Batch batch) {
        return batch.ids().stream().map(id -> client.waitForEnd(id, Duration.ofMinutes(15))).toList();
    }

    /** The batch's times from its jobs' records ({@link #ended}), which must all say done. */
    static AtOnce times(Batch batch, List<JsonNode> records, String label) {
        Instant first = batch.submitted().get(0);
        Instant lastVideo = first;
        Instant lastResult = first;
        long lifetimes = 0;
        for (int i = 0; i < records.size(); i++) {
            JsonNode job = requireDone(records.get(i), label + " job " + (i + 1));
            lastVideo = later(lastVideo, ended(job, "video"));
            lastResult = later(lastResult, finished(job));
            lifetimes += between(batch.submitted().get(i), finished(job));
        }
        return new AtOnce(between(first, lastVideo), between(first, lastResult), lifetimes);
    }

    /**
     * Each step's start and end in seconds from {@code from}, e.g. "audio 0.01-2.05, voice@b 2.10-5.12, " (the GPU
     * host a step ran on when the record names one of a pool's hosts).
     */
    static String stepTimes(JsonNode job, Instant from) {
        StringBuilder line = new StringBuilder();
        job.path("steps").fields().forEachRemaining(step -> {
            JsonNode times = step.getValue();
            if (times.hasNonNull("started") && times.hasNonNull("ended")) {
                String host = times.path("details").path("gpu_host").asText("");
                line.append(String.format(Locale.ROOT, "%s%s %.2f-%.2f, ", step.getKey(),
                        host.isEmpty() || host.equals("default") ? "" : "@" + host,
                        between(from, Instant.parse(times.path("started").asText())) / 1e3,
                        between(from, Instant.parse(times.path("ended").asText())) / 1e3));
            }
        });
        return line.toString();
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
