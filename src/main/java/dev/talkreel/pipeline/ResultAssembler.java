package dev.talkreel.pipeline;

import dev.talkreel.job.Status;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the final result message of a job from its step markers (gathered by the assemble aggregator): the inputs,
 * each step's task id, artifact, media facts and timings, the video, and every delivered file with its size. Writes
 * outbox/&lt;id&gt;.mp4 (and .jpg, .srt, .vtt) first and outbox/&lt;id&gt;.json last, so whoever watches the outbox for .json files finds the video already there. Paths in it
 * are relative to the shared volume: every service and client mounts it somewhere else.
 */
public final class ResultAssembler {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.result");
    private final JobStore jobs;
    private final Pipeline pipeline;
    private final List<String> alsoDelivered;

    /**
     * {@code alsoDelivered}: files of the job folder delivered beside the video when present (talkreel.outbox.also:
     * the poster, the captions), each as outbox/&lt;id&gt;.&lt;its extension&gt;.
     */
    public ResultAssembler(JobStore jobs, Pipeline pipeline, List<String> alsoDelivered) {
        this.jobs = jobs;
        this.pipeline = pipeline;
        this.alsoDelivered = List.copyOf(alsoDelivered);
    }

    /** Whether the job still needs its result (after a restart the markers of finished jobs are seen again). */
    public boolean needsResult(@ExchangeProperty(Props.JOB_ID) String jobId) {
        return jobs.find(jobId).map(j -> !j.isTerminal()).orElse(false);
    }

    @SuppressWarnings("unchecked")
    public void assemble(Exchange exchange) throws IOException {
        Map<String, Object> markers = exchange.getIn().getBody(Map.class);
        String jobId = exchange.getProperty(Props.JOB_ID, String.class);
        JobRecord job = jobs.get(jobId);
        Path outbox = jobs.volume().outbox();
        Path dir = jobs.volume().jobDir(jobId);
        Path video = outbox.resolve(jobId + ".mp4");
        // the step declared with publish: true (the finished video) is the job's published result
        StepDefinition published = pipeline.published();
        List<Map<String, Object>> delivered = new ArrayList<>();
        delivered.add(deliver(dir.resolve(published.artifact()), video));
        for (String name : alsoDelivered) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                delivered.add(deliver(file, outbox.resolve(jobId + extension(name))));
            }
        }

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("job_id", jobId);
        result.put("status", Status.DONE);
        Map<String, Object> videoFacts = new LinkedHashMap<>();
        videoFacts.put("path", jobs.volume().relative(video));
        Map<String, Object> videoMarker = (Map<String, Object>) markers.get(published.id());
        videoFacts.putAll((Map<String, Object>) videoMarker.getOrDefault("details", Map.of()));
        result.put("video", videoFacts);
        // every file of the job in the outbox, with its size
        result.put("delivered", delivered);
        result.put("input", job.input);
        Map<String, Object> steps = new LinkedHashMap<>();
        for (StepDefinition step : pipeline.steps()) {
            Map<String, Object> m = (Map<String, Object>) markers.get(step.id());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("service", step.serviceName());
            s.put("task_id", m.get("task_id"));
            // where the artifact stays: the job moves to the archive once done (paths relative to the shared volume)
            s.put("artifact", jobs.volume().relative(jobs.archivedFolderOf(jobId).resolve(String.valueOf(m.get("artifact")))));
            s.put("attempt", m.get("attempt"));
            s.put("started", m.get("started"));
            s.put("ended", m.get("ended"));
            s.put("elapsed_ms", m.get("elapsed_ms"));
            s.put("details", m.get("details"));
            steps.put(step.id(), s);
        }
        result.put("steps", steps);
        result.put("created", job.created);
        String finished = jobs.now();
        result.put("finished", finished);
        result.put("elapsed_ms", Duration.between(Instant.parse(job.created), Instant.parse(finished)).toMillis());
        AtomicFiles.writeJson(outbox.resolve(jobId + ".json"), result);
        jobs.jobDone(jobId, jobs.resultPaths(jobId));
        LOG.info("job {} done: {}", jobId, outbox.resolve(jobId + ".json"));
    }

    /** {@code source} published as {@code target}: its path (relative to the shared volume) and size. */
    private Map<String, Object> deliver(Path source, Path target) throws IOException {
        AtomicFiles.publish(source, target);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("path", jobs.volume().relative(target));
        file.put("bytes", Files.size(target));
        return file;
    }

    /** ".jpg" of "poster.jpg"; nothing for a name without one. */
    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot);
    }
}
