package dev.talkreel.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job folder's markers: {@code intake.done.json}, written with the record, and {@code <step>.done.json} per
 * finished step, written after the step's artifact. A marker is the proof that a step is done and the hand-off the
 * next step's watcher waits for, so the record is corrected from the markers, never the other way round.
 */
public final class JobMarkers {
    /** How a done marker's name ends: &lt;step&gt;.done.json. */
    public static final String SUFFIX = ".done.json";
    public static final String INTAKE = "intake";
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.jobs");

    private final ObjectMapper mapper;
    private final JobTime time;

    JobMarkers(ObjectMapper mapper, JobTime time) {
        this.mapper = mapper;
        this.time = time;
    }

    public static String name(String step) {
        return step + SUFFIX;
    }

    /** Writes the intake marker, which hands the job to the pipeline. */
    void writeIntake(Path dir, JobRecord job) throws IOException {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("job_id", job.jobId);
        marker.put("step", INTAKE);
        marker.put("at", job.created);
        marker.put("source", job.source);
        // the input travels with the marker too: a record lost to a power cut can be rebuilt from it
        marker.put("input", job.input);
        AtomicFiles.writeJson(dir.resolve(name(INTAKE)), marker);
    }

    boolean hasIntake(Path dir) {
        return Files.isRegularFile(dir.resolve(name(INTAKE)), LinkOption.NOFOLLOW_LINKS);
    }

    /** The intake marker's content, or null when it is missing or unreadable. */
    Map<?, ?> readIntake(Path dir) {
        try {
            return mapper.readValue(dir.resolve(name(INTAKE)).toFile(), Map.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes a step's done marker from its record. */
    void write(Path dir, String jobId, String step, StepRecord s) throws IOException {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("job_id", jobId);
        marker.put("step", step);
        marker.put("artifact", s.artifact);
        marker.put("task_id", s.taskId);
        marker.put("attempt", s.attempt);
        marker.put("started", s.started);
        marker.put("ended", s.ended);
        marker.put("elapsed_ms", s.elapsedMs);
        marker.put("details", s.details);
        AtomicFiles.writeJson(dir.resolve(name(step)), marker);
    }

    /** Corrects a record from the markers on disk: a marker means done, whatever the record says. */
    JobRecord applyTo(JobRecord job, Path dir, List<String> steps) {
        for (String step : steps) {
            StepRecord s = job.step(step);
            Path marker = dir.resolve(name(step));
            if (s.state != Status.DONE && Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = mapper.readValue(marker.toFile(), Map.class);
                    s.state = Status.DONE;
                    s.error = null;
                    s.owner = null;
                    s.artifact = (String) m.get("artifact");
                    s.ended = (String) m.get("ended");
                } catch (IOException | ClassCastException e) {
                    // an unreadable marker proves nothing: the step is not done (audit sets the marker aside)
                }
            }
        }
        return job;
    }

    /**
     * Puts a job's markers in order with its record and artifacts, the files being the truth: a missing intake
     * marker is written again; a step recorded done whose marker was lost but whose artifact is intact gets its
     * marker back (it is not run again); a marker whose artifact is missing or empty, or that cannot be read, is set
     * aside as {@code <marker>.invalid-<time>}. Returns the steps that must run again, in order; the caller puts
     * them back to pending in the record.
     */
    List<String> audit(String jobId, Path dir, JobRecord job, List<String> steps) throws IOException {
        if (!Files.exists(dir.resolve(name(INTAKE)))) {
            // creation cut short between the record and its marker: without it no step would ever start
            writeIntake(dir, job);
        }
        List<String> redo = new ArrayList<>();
        for (String step : steps) {
            StepRecord s = job.step(step);
            Path marker = dir.resolve(name(step));
            boolean hasMarker = Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS);
            String artifact = hasMarker ? artifactOf(marker) : s.artifact;
            if (!hasMarker && s.state != Status.DONE) {
                continue;
            }
            if (artifact != null && intact(dir.resolve(artifact))) {
                if (!hasMarker) {
                    write(dir, jobId, step, s);
                    LOG.warn("job {}: the marker of step {} was missing; its artifact {} is intact, so the marker "
                            + "was written again and the step is not redone", jobId, step, artifact);
                }
                continue;
            }
            if (hasMarker) {
                Files.move(marker, dir.resolve(name(step) + ".invalid-" + time.stamp()));
            }
            redo.add(step);
            LOG.warn("job {}: step {} is done but its artifact {} is missing or empty: the step runs again", jobId,
                    step, artifact);
        }
        return redo;
    }

    /**
     * Touches a job's markers so that the watchers see them again and start whatever step has not run (the file
     * consumers key a marker by its name and time). Steps already done, or running here, do not start twice.
     */
    void touch(Path dir) throws IOException {
        FileTime now = FileTime.from(time.instant());
        try (Stream<Path> files = Files.list(dir)) {
            for (Path marker : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList()) {
                Files.setLastModifiedTime(marker, now);
            }
        }
    }

    /** An artifact a later step can use: a regular file (not a link), not empty. */
    private static boolean intact(Path artifact) {
        try {
            return Files.isRegularFile(artifact, LinkOption.NOFOLLOW_LINKS) && Files.size(artifact) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The artifact a marker names, or null when the marker cannot be read. */
    private String artifactOf(Path marker) {
        try {
            Object artifact = mapper.readValue(marker.toFile(), Map.class).get("artifact");
            return artifact == null ? null : String.valueOf(artifact);
        } catch (IOException e) {
            return null;
        }
    }
}
