package dev.talkreel.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.SharedVolume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Jobs on the shared volume. Each job is a folder holding its record (job.json) and, per finished step, a marker
 * {@code <step>.done.json} written after the step's artifact. A marker is the proof that a step is done: the record is
 * corrected from the markers whenever it is read, so a crash between the two writes loses nothing.
 */
public final class JobStore {
    public static final String RECORD = "job.json";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SharedVolume volume;
    private final Clock clock;
    private final ObjectMapper mapper = AtomicFiles.JSON.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** Jobs known to be done, failed or cancelled: the watchers skip their folders. */
    private final java.util.Set<String> finished = ConcurrentHashMap.newKeySet();

    public JobStore(SharedVolume volume, Clock clock) {
        this.volume = volume;
        this.clock = clock;
    }

    public SharedVolume volume() {
        return volume;
    }

    public static String markerName(String step) {
        return step + ".done.json";
    }

    /** The outcome of a submission: the job, and whether it already existed under the same idempotency key. */
    public record Created(JobRecord job, boolean existing) {
    }

    /**
     * Creates a job and hands it to the pipeline by writing its intake marker. With an idempotency key, a second
     * submission with the same key and request returns the first job instead of creating another; with the same key
     * and another request it throws {@link IdempotencyKeys.Conflict}.
     */
    public Created create(JobRequest input, String source, String idempotencyKey) throws IOException {
        String id = newId();
        if (idempotencyKey != null && !idempotencyKey.isBlank()) {
            // same key, same request: the first job; same key, another request: IdempotencyKeys.Conflict
            Optional<JobRecord> earlier = new IdempotencyKeys(volume.jobs().resolve(".keys"))
                    .claim(idempotencyKey, sha256(mapper.writeValueAsBytes(input)), id, this::find);
            if (earlier.isPresent()) {
                return new Created(earlier.get(), true);
            }
        }
        JobRecord job = new JobRecord();
        job.jobId = id;
        job.source = source;
        job.idempotencyKey = idempotencyKey;
        job.created = now();
        job.updated = job.created;
        job.input = input;
        for (String step : JobRecord.STEPS) {
            job.step(step);
        }
        Path dir = volume.jobDir(id);
        Files.createDirectories(dir);
        AtomicFiles.writeJson(dir.resolve(RECORD), job);
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("job_id", id);
        marker.put("step", "intake");
        marker.put("at", job.created);
        AtomicFiles.writeJson(dir.resolve(markerName("intake")), marker);
        return new Created(job, false);
    }

    public Optional<JobRecord> find(String jobId) {
        try {
            Path file = volume.jobDir(jobId).resolve(RECORD);
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            return Optional.of(withMarkers(mapper.readValue(file.toFile(), JobRecord.class)));
        } catch (dev.talkreel.files.PathOutsideVolumeException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read job " + jobId + ": " + e.getMessage(), e);
        }
    }

    public JobRecord get(String jobId) {
        return find(jobId).orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
    }

    /** The newest jobs first (ids start with their creation time). */
    public List<JobRecord> recent(int limit) throws IOException {
        List<JobRecord> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(volume.jobs())) {
            List<String> ids = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted(java.util.Comparator.reverseOrder()).limit(limit).toList();
            for (String id : ids) {
                find(id).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Every job not yet done, failed or cancelled: what a restart carries on. */
    public List<JobRecord> unfinished() throws IOException {
        List<JobRecord> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(volume.jobs())) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                if (!d.getFileName().toString().startsWith(".")) {
                    find(d.getFileName().toString()).filter(j -> !j.isTerminal()).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /**
     * Run at start-up: every unfinished job carries on. The watchers see the markers of unfinished jobs again by
     * themselves; this only puts back the intake marker of a job whose creation was cut short between its record and
     * its marker, so that no accepted job is left waiting for nothing. Returns the ids of the unfinished jobs.
     */
    public List<String> reconcile() throws IOException {
        List<String> ids = new ArrayList<>();
        for (JobRecord job : unfinished()) {
            Path marker = volume.jobDir(job.jobId).resolve(markerName("intake"));
            if (!Files.exists(marker)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("job_id", job.jobId);
                m.put("step", "intake");
                m.put("at", job.created);
                AtomicFiles.writeJson(marker, m);
            }
            ids.add(job.jobId);
        }
        return ids;
    }

    /** Reads, changes and rewrites a job's record atomically, one writer per job at a time. */
    public JobRecord update(String jobId, Consumer<JobRecord> change) {
        synchronized (locks.computeIfAbsent(jobId, k -> new Object())) {
            JobRecord job = get(jobId);
            change.accept(job);
            job.updated = now();
            try {
                AtomicFiles.writeJson(volume.jobDir(jobId).resolve(RECORD), job);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write job " + jobId + ": " + e.getMessage(), e);
            }
            if (job.isTerminal()) {
                finished.add(jobId);
            } else {
                finished.remove(jobId);
            }
            return job;
        }
    }

    /**
     * Whether the watchers should look into a job folder: not for dot-folders, and not for jobs that are finished
     * (their markers must not start anything again). Keeps the scans of a long-lived volume short.
     */
    public boolean isActiveFolder(String folder) {
        if (folder == null || folder.startsWith(".") || finished.contains(folder)) {
            return false;
        }
        Optional<JobRecord> job = find(folder);
        if (job.isPresent() && job.get().isTerminal()) {
            finished.add(folder);
            return false;
        }
        return true;
    }

    /** Whether a step should run now: not done already (the record is corrected from the markers), job alive. */
    public boolean shouldRun(String jobId, String step) {
        return find(jobId).map(j -> !j.isTerminal() && !StepRecord.DONE.equals(j.step(step).state)
                && !StepRecord.FAILED.equals(j.step(step).state)).orElse(false);
    }

    public void stepWaiting(String jobId, String step) {
        update(jobId, job -> {
            job.step(step).state = StepRecord.WAITING_FOR_GPU;
            job.currentStep = step;
        });
    }

    /** Marks a step running; a step that was already running (a restart) keeps its attempt and task id. */
    public void stepStarted(String jobId, String step) {
        update(jobId, job -> {
            StepRecord s = job.step(step);
            if (!StepRecord.RUNNING.equals(s.state)) {
                s.attempt++;
                s.started = now();
            }
            s.state = StepRecord.RUNNING;
            s.error = null;
            s.ended = null;
            job.currentStep = step;
            if (JobRecord.QUEUED.equals(job.status)) {
                job.status = JobRecord.RUNNING;
            }
        });
    }

    public void stepTask(String jobId, String step, String taskId) {
        update(jobId, job -> job.step(step).taskId = taskId);
    }

    public String taskIdOf(String jobId, String step) {
        return find(jobId).map(j -> j.step(step).taskId).orElse(null);
    }

    /**
     * Declares a step done: writes its marker (the proof, and the hand-off the next step's watcher waits for),
     * then the record.
     */
    public void stepDone(String jobId, String step, String artifact, Map<String, Object> details) throws IOException {
        JobRecord job = update(jobId, j -> {
            StepRecord s = j.step(step);
            s.state = StepRecord.DONE;
            s.ended = now();
            s.elapsedMs = s.started == null ? null : Duration.between(Instant.parse(s.started), clock.instant()).toMillis();
            s.artifact = artifact;
            s.error = null;
            if (details != null) {
                s.details.putAll(details);
            }
        });
        StepRecord s = job.step(step);
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("job_id", jobId);
        marker.put("step", step);
        marker.put("artifact", artifact);
        marker.put("task_id", s.taskId);
        marker.put("attempt", s.attempt);
        marker.put("started", s.started);
        marker.put("ended", s.ended);
        marker.put("elapsed_ms", s.elapsedMs);
        marker.put("details", s.details);
        AtomicFiles.writeJson(volume.jobDir(jobId).resolve(markerName(step)), marker);
    }

    /**
     * Records a failed step and fails the job, with the error class and a sentence a person understands. In a
     * cancelled job the step is recorded as cancelled and the job stays cancelled.
     */
    public void stepFailed(String jobId, String step, int tries, String errorClass, String message) {
        update(jobId, job -> {
            StepRecord s = job.step(step);
            s.ended = now();
            s.error = new StepRecord.StepError(errorClass, message, Math.max(1, s.attempt), s.ended);
            s.details.put("tries", tries);
            if (JobRecord.CANCELLED.equals(job.status)) {
                s.state = StepRecord.CANCELLED;
                return;
            }
            s.state = StepRecord.FAILED;
            job.status = JobRecord.FAILED;
            job.currentStep = step;
            job.error = s.error;
            job.finished = s.ended;
        });
    }

    /** Whether the job was cancelled: running steps stop at their next poll. */
    public boolean isCancelled(String jobId) {
        return find(jobId).map(j -> JobRecord.CANCELLED.equals(j.status)).orElse(false);
    }

    /** The outcome of an operator action on a job. */
    public record Action(JobRecord job, String refusal) {
    }

    /** Cancels a job that has not finished; recorded as an event. Steps in flight stop at their next check. */
    public Action cancel(String jobId) {
        synchronized (locks.computeIfAbsent(jobId, k -> new Object())) {
            JobRecord current = get(jobId);
            if (current.isTerminal()) {
                return new Action(current, "job " + jobId + " is already " + current.status);
            }
            return new Action(update(jobId, job -> {
                job.status = JobRecord.CANCELLED;
                job.finished = now();
                job.events.add(event("cancel", job.currentStep));
            }), null);
        }
    }

    /**
     * Resumes a failed or cancelled job from where it stopped: steps that did not finish go back to pending, steps
     * that did stay done, and the job's markers are touched so that the watchers look at it again.
     */
    public Action retry(String jobId) throws IOException {
        synchronized (locks.computeIfAbsent(jobId, k -> new Object())) {
            JobRecord current = get(jobId);
            if (!JobRecord.FAILED.equals(current.status) && !JobRecord.CANCELLED.equals(current.status)) {
                return new Action(current, "job " + jobId + " is " + current.status + "; only a failed or cancelled "
                        + "job can be retried");
            }
            JobRecord job = update(jobId, j -> {
                String from = null;
                for (String step : JobRecord.STEPS) {
                    StepRecord s = j.step(step);
                    if (!StepRecord.DONE.equals(s.state) && !StepRecord.PENDING.equals(s.state)) {
                        from = from == null ? step : from;
                        s.state = StepRecord.PENDING;
                        s.error = null;
                        s.taskId = null;
                        s.ended = null;
                    }
                }
                j.status = JobRecord.QUEUED;
                j.error = null;
                j.finished = null;
                j.events.add(event("retry", from));
            });
            java.nio.file.attribute.FileTime now = java.nio.file.attribute.FileTime.from(clock.instant());
            try (Stream<Path> files = Files.list(volume.jobDir(jobId))) {
                for (Path marker : files.filter(f -> f.getFileName().toString().endsWith(".done.json")).toList()) {
                    Files.setLastModifiedTime(marker, now);
                }
            }
            return new Action(job, null);
        }
    }

    private Map<String, Object> event(String action, String step) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("action", action);
        e.put("at", now());
        if (step != null) {
            e.put("step", step);
        }
        return e;
    }

    public void jobDone(String jobId, Map<String, Object> result) {
        update(jobId, job -> {
            job.status = JobRecord.DONE;
            job.currentStep = null;
            job.result = result;
            job.finished = now();
        });
    }

    /** Corrects a record from the markers on disk: a marker means done, whatever the record says. */
    private JobRecord withMarkers(JobRecord job) {
        Path dir = volume.jobDir(job.jobId);
        for (String step : JobRecord.STEPS) {
            StepRecord s = job.step(step);
            if (!StepRecord.DONE.equals(s.state) && Files.isRegularFile(dir.resolve(markerName(step)))) {
                try {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> marker = mapper.readValue(dir.resolve(markerName(step)).toFile(), Map.class);
                    s.state = StepRecord.DONE;
                    s.error = null;
                    s.artifact = (String) marker.get("artifact");
                    s.ended = (String) marker.get("ended");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return job;
    }

    public String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    private String newId() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return ID_TIME.format(clock.instant()) + "-" + HexFormat.of().formatHex(b);
    }

    /** The hex SHA-256 of some bytes: idempotency keys and job file contents become file names this way. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
