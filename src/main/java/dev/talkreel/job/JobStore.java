package dev.talkreel.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.SharedVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs on the shared volume, and the one entry the beans and routes use for them. Each job is a folder holding its
 * record (job.json, {@link JobRecords}) and, per finished step, a marker {@code <step>.done.json} written after the
 * step's artifact ({@link JobMarkers}). A marker is the proof that a step is done: the record is corrected from the
 * markers whenever it is read, so a crash between the two writes loses nothing. This class holds the transitions of
 * jobs and steps (create, start, done, failed, cancel, retry, reconcile, archive), each under the job's lock.
 */
public final class JobStore {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.jobs");

    private final SharedVolume volume;
    private final JobTime time;
    /** The declared steps, in order (routes/, read by the Pipeline): a job has one record per step. */
    private final Supplier<List<String>> steps;
    private final ObjectMapper mapper = AtomicFiles.JSON.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final JobArchive archive;
    private final JobMarkers markers;
    private final JobRecords records;
    private final PendingFailures pendingFailures;
    private final LiveSteps live = new LiveSteps();
    private final List<Observer> observers = new CopyOnWriteArrayList<>();
    /** Every transition written, told to whoever listens (the SSE streams, the time estimate). */
    private final JobEvents events = new JobEvents();
    /** This process, as the owner of the steps it starts: a running step owned by another run was cut off. */
    private final String runId = "run-" + ProcessHandle.current().pid() + "-" + JobTime.randomHex(3);

    public JobStore(SharedVolume volume, Clock clock, Supplier<List<String>> steps) {
        this.volume = volume;
        this.time = new JobTime(clock);
        this.steps = steps;
        this.archive = new JobArchive(volume.archive());
        this.markers = new JobMarkers(mapper, time);
        this.records = new JobRecords(volume, archive, markers, time, mapper, steps);
        this.pendingFailures = new PendingFailures(clock, (jobId, f) -> stepFailed(jobId, f.step(), f.tries(),
                f.errorClass(), f.message()));
    }

    public LiveSteps live() {
        return live;
    }

    /** Told of every record written and of every step that ended (metrics); must be quick and never throw. */
    public interface Observer {
        /** The job ends done or failed with this change, whose record is written next (inside the job's lock). */
        default void ending(JobRecord job) {
        }

        default void recorded(JobRecord job) {
        }

        default void stepEnded(String jobId, String step, StepRecord s) {
        }

        /** This process wrote the done marker of {@code step} (intake for a new job): the hand-off to the next steps. */
        default void handedOff(String jobId, String step) {
        }
    }

    public void observe(Observer observer) {
        observers.add(observer);
    }

    public JobEvents events() {
        return events;
    }

    public String runId() {
        return runId;
    }

    public SharedVolume volume() {
        return volume;
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
        String id = time.newId();
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
        for (String step : steps.get()) {
            job.step(step);
        }
        Path dir = volume.jobDir(id);
        Files.createDirectories(dir);
        records.writeNew(dir, job);
        markers.writeIntake(dir, job);
        observers.forEach(o -> o.recorded(job));
        observers.forEach(o -> o.handedOff(id, JobMarkers.INTAKE));
        events.changed(JobEvents.Before.NONE, job);
        return new Created(job, false);
    }

    /** The job's record, from the live jobs or the archive; an unreadable record is repaired from its markers. */
    public Optional<JobRecord> find(String jobId) {
        return records.find(jobId);
    }

    public JobRecord get(String jobId) {
        return records.get(jobId);
    }

    /** A job's folder: among the live jobs, else in the archive; null when there is no such job. */
    public Path folderOf(String jobId) {
        return records.folderOf(jobId);
    }

    /** The newest jobs first (ids start with their creation time), older than {@code before} when given. */
    public List<JobRecord> recent(int limit, String before) throws IOException {
        return records.recent(limit, before);
    }

    /** The ids of the jobs in jobs/ (live ones, and finished ones not archived yet). */
    public List<String> activeIds() throws IOException {
        return records.activeIds();
    }

    /** Every job not yet done, failed or cancelled: what a restart carries on. */
    public List<JobRecord> unfinished() throws IOException {
        List<JobRecord> out = new ArrayList<>();
        for (String id : activeIds()) {
            find(id).filter(j -> !j.isTerminal()).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Run at start-up: every unfinished job carries on. The watchers see the markers of unfinished jobs again by
     * themselves; this puts every job's files in order first ({@link #audit}) and archives finished jobs still among
     * the live ones. Returns the ids of the unfinished jobs.
     */
    public List<String> reconcile() throws IOException {
        List<String> ids = new ArrayList<>();
        for (String id : activeIds()) {
            try {
                JobRecord job = get(id);
                if (job.isTerminal()) {
                    if (job.status == Status.DONE) {
                        archive(id);
                    }
                    continue;
                }
                audit(id);
                ids.add(id);
            } catch (RuntimeException | IOException e) {
                // one job's trouble never keeps the others (or the start) waiting: the supervisor tries it again
                LOG.warn("job {}: could not check it at start-up: {}", id, JobRecords.firstLine(e));
            }
        }
        return ids;
    }

    /**
     * Reads, changes and rewrites a job's record atomically, one writer per job at a time. A change that ends the job
     * (done or failed) is told to the observers ({@link Observer#ending}) first, before the record says so: what must
     * follow an outcome (a callback) is then never lost to a crash between the two writes.
     */
    public JobRecord update(String jobId, Consumer<JobRecord> change) {
        return update(jobId, change, null);
    }

    /**
     * {@link #update}, telling the events what changed since {@code before} (null: since the record as read now). A
     * record read after a step's marker is written already says the step is done: its change is told from before.
     */
    private JobRecord update(String jobId, Consumer<JobRecord> change, JobEvents.Before before) {
        synchronized (records.lock(jobId)) {
            JobRecord job = get(jobId);
            Status statusBefore = job.status;
            if (before == null) {
                before = JobEvents.Before.of(job);
            }
            change.accept(job);
            job.updated = now();
            if (statusBefore != job.status && (job.status == Status.DONE || job.status == Status.FAILED)) {
                observers.forEach(o -> o.ending(job));
            }
            records.write(jobId, job);
            observers.forEach(o -> o.recorded(job));
            events.changed(before, job);
            return job;
        }
    }

    /**
     * A note of what happened around a step (a GPU slot's wait, a host, a VRAM hand-off): the event, and whatever
     * {@code alsoStep} adds to the step, in one record write. Never fails the work it describes: a record the volume
     * refuses now is logged here, and fails the step where its own writes matter.
     */
    public void note(String jobId, String step, String action, Map<String, Object> details,
                     Consumer<StepRecord> alsoStep) {
        try {
            update(jobId, job -> {
                Map<String, Object> e = event(action, step);
                e.putAll(details);
                job.events.add(e);
                alsoStep.accept(job.step(step));
            });
        } catch (RuntimeException e) {
            LOG.warn("job {}: could not note {} {} in the record: {}", jobId, action, details, e.toString());
        }
    }

    /** Adds an entry to the job's events (e.g. each callback attempt), with its details. */
    public void event(String jobId, String action, Map<String, Object> details) {
        update(jobId, job -> {
            Map<String, Object> e = event(action, null);
            e.putAll(details);
            job.events.add(e);
        });
    }

    /**
     * Whether the watchers should look into a job folder: not for dot-folders, and not for jobs that are finished
     * (their markers must not start anything again). The routes call it as {@code bean:jobStore}.
     */
    public boolean isActiveFolder(String folder) {
        return records.isActiveFolder(folder);
    }

    /** Whether a step should run now: not done already (the record is corrected from the markers), job alive. */
    public boolean shouldRun(String jobId, String step) {
        return find(jobId).map(j -> !j.isTerminal() && j.step(step).state != Status.DONE
                && j.step(step).state != Status.FAILED).orElse(false);
    }

    public void stepWaiting(String jobId, String step) {
        update(jobId, job -> {
            StepRecord s = job.step(step);
            // a step still marked running by a run that died keeps that mark while it queues: once it has the GPU,
            // that is how the VRAM hand-off knows a call of it may still render, and stepStarted keeps its attempt
            if (!(s.state == Status.RUNNING && s.owner != null && !s.owner.equals(runId))) {
                s.state = Status.WAITING_FOR_GPU;
            }
            job.currentStep = step;
        });
    }

    /** What a step was when it started again: a running step owned by another run was cut off in flight. */
    public record Resumed(boolean wasRunning, String owner, String taskId, String started) {
        public boolean cutOff(String runId) {
            return wasRunning && owner != null && !owner.equals(runId);
        }
    }

    /**
     * Marks a step running by this process; a step that was already running (a restart) keeps its attempt, task id
     * and start time, so its deadline counts from its first start, not from the restart.
     */
    public Resumed stepStarted(String jobId, String step) {
        Resumed[] before = new Resumed[1];
        update(jobId, job -> {
            StepRecord s = job.step(step);
            before[0] = new Resumed(s.state == Status.RUNNING, s.owner, s.taskId, s.started);
            if (s.state != Status.RUNNING || s.started == null) {
                s.attempt++;
                s.started = now();
            }
            s.owner = runId;
            s.state = Status.RUNNING;
            s.error = null;
            s.ended = null;
            job.currentStep = step;
            if (job.status == Status.QUEUED) {
                job.status = Status.RUNNING;
            }
        });
        return before[0];
    }

    public void stepTask(String jobId, String step, String taskId) {
        update(jobId, job -> job.step(step).taskId = taskId);
    }

    public String taskIdOf(String jobId, String step) {
        return find(jobId).map(j -> j.step(step).taskId).orElse(null);
    }

    /**
     * Declares a step done: writes its marker (the proof, and the hand-off the next step's watcher waits for), then
     * the record. In this order a record never says done without its marker, so a missing marker means a lost one.
     */
    public void stepDone(String jobId, String step, String artifact, Map<String, Object> details) throws IOException {
        StepRecord s;
        synchronized (records.lock(jobId)) {
            JobRecord current = get(jobId);
            JobEvents.Before before = JobEvents.Before.of(current);
            s = current.step(step);
            s.state = Status.DONE;
            s.ended = now();
            s.elapsedMs = s.started == null ? null
                    : Duration.between(Instant.parse(s.started), time.instant()).toMillis();
            s.artifact = artifact;
            s.error = null;
            s.owner = null;
            if (details != null) {
                s.details.putAll(details);
            }
            markers.write(volume.jobDir(jobId), jobId, step, s);
            // the marker is the proof (a record read from now on says done): told now, not after the record's write
            events.changed(before, current);
            update(jobId, j -> j.steps.put(step, s), JobEvents.Before.of(current));
        }
        observers.forEach(o -> o.stepEnded(jobId, step, s));
        observers.forEach(o -> o.handedOff(jobId, step));
    }

    /**
     * Records a failed step and fails the job, with the error class and a sentence a person understands. In a
     * cancelled job the step is recorded as cancelled and the job stays cancelled.
     */
    public void stepFailed(String jobId, String step, int tries, String errorClass, String message) {
        JobRecord failed = update(jobId, job -> {
            StepRecord s = job.step(step);
            s.ended = now();
            s.owner = null;
            s.error = new StepRecord.StepError(errorClass, message, Math.max(1, s.attempt), s.ended);
            s.details.put("tries", tries);
            if (job.status == Status.CANCELLED) {
                s.state = Status.CANCELLED;
                return;
            }
            s.state = Status.FAILED;
            job.status = Status.FAILED;
            job.currentStep = step;
            job.error = s.error;
            job.finished = s.ended;
        });
        observers.forEach(o -> o.stepEnded(jobId, step, failed.step(step)));
    }

    /**
     * The failure path, which must never throw: records the failure, or, when the volume refuses the write, keeps it
     * to write later ({@link #flushPendingFailures}) and says so once in the log.
     */
    public void stepFailedOrLater(String jobId, String step, int tries, String errorClass, String message) {
        pendingFailures.writeOrKeep(jobId, new PendingFailures.Failure(step, tries, errorClass, message));
    }

    /** Writes the failures kept back, each with a doubling pause (at most 15 s) between tries. */
    public void flushPendingFailures() {
        pendingFailures.flush();
    }

    public boolean hasPendingFailure(String jobId) {
        return pendingFailures.has(jobId);
    }

    /** Whether the job was cancelled: running steps stop at their next poll. */
    public boolean isCancelled(String jobId) {
        return find(jobId).map(j -> j.status == Status.CANCELLED).orElse(false);
    }

    /** The outcome of an operator action on a job. */
    public record Action(JobRecord job, String refusal) {
    }

    /** Cancels a job that has not finished; recorded as an event. Steps in flight stop at their next check. */
    public Action cancel(String jobId) {
        synchronized (records.lock(jobId)) {
            JobRecord current = get(jobId);
            if (current.isTerminal()) {
                return new Action(current, "job " + jobId + " is already " + current.status);
            }
            return new Action(update(jobId, job -> {
                job.status = Status.CANCELLED;
                job.finished = now();
                job.events.add(event("cancel", job.currentStep));
            }), null);
        }
    }

    /**
     * Resumes any job that is not done (failed, cancelled, or stuck) from the first step whose marker or artifact is
     * missing or invalid; steps whose artifact is intact are never run again. The job's markers are touched so that
     * the watchers look at it again. Refused for a done job, a job this process is working on right now, and a job
     * whose input was lost.
     */
    public Action retry(String jobId) throws IOException {
        synchronized (records.lock(jobId)) {
            JobRecord current = get(jobId);
            if (current.status == Status.DONE) {
                return new Action(current, "job " + jobId + " is done; there is nothing to retry");
            }
            if (current.isTerminal()) {
                // a cancelled or failed step records its end a moment before its exchange lets go of the step
                awaitRelease(jobId, Duration.ofSeconds(5));
            }
            if (live.anyFor(jobId)) {
                return new Action(current, "job " + jobId + " is " + current.status + " and its step "
                        + current.currentStep + " is being worked on right now; cancel it first or wait");
            }
            if (current.input == null) {
                return new Action(current, "job " + jobId + " cannot be retried: its input was lost with its record");
            }
            if (!Files.isDirectory(volume.jobDir(jobId))) {
                archive.restore(jobId, volume.jobDir(jobId));
            }
            audit(jobId);
            JobRecord job = update(jobId, j -> {
                // a step declared since the job was made is part of it too: it runs when its turn comes
                steps.get().forEach(j::step);
                String from = null;
                for (String step : j.steps.keySet()) {
                    StepRecord s = j.step(step);
                    if (s.state != Status.DONE) {
                        from = from == null && s.state != Status.PENDING ? step : from;
                        s.state = Status.PENDING;
                        s.error = null;
                        s.taskId = null;
                        s.ended = null;
                        s.owner = null;
                    }
                }
                j.status = Status.QUEUED;
                j.error = null;
                j.finished = null;
                j.events.add(event("retry", from == null ? firstPending(j) : from));
            });
            touchMarkers(jobId);
            return new Action(job, null);
        }
    }

    private void awaitRelease(String jobId, Duration atMost) {
        long end = System.nanoTime() + atMost.toNanos();
        while (live.anyFor(jobId) && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private String firstPending(JobRecord job) {
        return steps.get().stream().filter(s -> job.step(s).state != Status.DONE).findFirst().orElse(null);
    }

    /**
     * Puts a live job's files in order with its record, the shared volume being the truth ({@link JobMarkers#audit}):
     * a lost marker of an intact artifact is written again, and a step whose artifact is missing or empty, or whose
     * marker cannot be read, goes back to pending, to run again. Returns the first step that must run again, or null.
     */
    public String audit(String jobId) throws IOException {
        synchronized (records.lock(jobId)) {
            List<String> redo = markers.audit(jobId, volume.jobDir(jobId), get(jobId), steps.get());
            if (!redo.isEmpty()) {
                update(jobId, j -> {
                    for (String step : redo) {
                        StepRecord s = j.step(step);
                        s.state = Status.PENDING;
                        s.taskId = null;
                        s.owner = null;
                        s.ended = null;
                    }
                    if (!j.isTerminal()) {
                        j.status = Status.QUEUED;
                    }
                    j.events.add(event("redo", redo.get(0)));
                });
            }
            return redo.isEmpty() ? null : redo.get(0);
        }
    }

    /**
     * Touches a job's markers so that the watchers see them again and start whatever step has not run (the file
     * consumers key a marker by its name and time). Steps already done, or running here, do not start twice.
     */
    public void touchMarkers(String jobId) throws IOException {
        markers.touch(volume.jobDir(jobId));
    }

    /** The newest change to a job on disk: its record's last update or its newest marker. */
    public Instant lastActivity(String jobId) throws IOException {
        Instant newest = Instant.EPOCH;
        try (Stream<Path> files = Files.list(volume.jobDir(jobId))) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                Instant t = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant();
                newest = t.isAfter(newest) ? t : newest;
            }
        }
        return newest;
    }

    private Map<String, Object> event(String action, String step) {
        return JobRecords.event(action, step, now());
    }

    /** The job is done: its record says so, and its folder leaves the live jobs for the archive. */
    public void jobDone(String jobId, Map<String, Object> result) {
        update(jobId, job -> {
            job.status = Status.DONE;
            job.currentStep = null;
            job.result = result;
            job.finished = now();
        });
        archive(jobId);
    }

    /** Moves a finished job into the archive; on failure it stays where it is and the supervisor tries again. */
    public boolean archive(String jobId) {
        synchronized (records.lock(jobId)) {
            Path active = volume.jobDir(jobId);
            if (!Files.isDirectory(active, LinkOption.NOFOLLOW_LINKS) || live.anyFor(jobId)) {
                return false;
            }
            try {
                archive.store(jobId, active);
                records.forget(jobId);
                return true;
            } catch (IOException e) {
                LOG.warn("job {}: could not move it to the archive yet: {}", jobId, JobRecords.firstLine(e));
                return false;
            }
        }
    }

    /** Where the archive keeps a job (for result messages, which outlive the job's move). */
    public Path archivedFolderOf(String jobId) {
        return archive.folderOf(jobId);
    }

    /** Where a done job's result message and video are, relative to the shared volume. */
    public Map<String, Object> resultPaths(String jobId) {
        return JobRecords.resultPaths(jobId);
    }

    /** A time stamp for file names kept aside (inbox/.failed/, job.json.corrupt-...): yyyyMMdd-HHmmss-SSS, UTC. */
    public String stamp() {
        return time.stamp();
    }

    public String now() {
        return time.now();
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
