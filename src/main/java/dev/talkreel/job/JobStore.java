package dev.talkreel.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.SharedVolume;
import dev.talkreel.files.PathOutsideVolumeException;
import java.nio.file.LinkOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Jobs on the shared volume. Each job is a folder holding its record (job.json) and, per finished step, a marker
 * {@code <step>.done.json} written after the step's artifact. A marker is the proof that a step is done: the record is
 * corrected from the markers whenever it is read, so a crash between the two writes loses nothing.
 */
public final class JobStore {
    public static final String RECORD = "job.json";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SharedVolume volume;
    private final Clock clock;
    /** The declared steps, in order (routes/, read by the Pipeline): a job has one record per step. */
    private final Supplier<List<String>> steps;
    private final ObjectMapper mapper = AtomicFiles.JSON.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.jobs");
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** Jobs known to be done, failed or cancelled: the watchers skip their folders. */
    private final java.util.Set<String> finished = ConcurrentHashMap.newKeySet();
    /**
     * Jobs known to be alive. This process is the one writer of the records (one orchestrator per volume), and every
     * change of status goes through {@link #update}, which keeps this set and {@link #finished} right: the watchers
     * then ask memory, not the disk, at every scan.
     */
    private final java.util.Set<String> alive = ConcurrentHashMap.newKeySet();
    private final JobArchive archive;
    private final LiveSteps live = new LiveSteps();
    /** This process, as the owner of the steps it starts: a running step owned by another run was cut off. */
    private final String runId = "run-" + ProcessHandle.current().pid() + "-"
            + HexFormat.of().formatHex(RANDOM.generateSeed(3));

    public JobStore(SharedVolume volume, Clock clock, Supplier<List<String>> steps) {
        this.volume = volume;
        this.clock = clock;
        this.steps = steps;
        this.archive = new JobArchive(volume.archive());
    }

    public LiveSteps live() {
        return live;
    }

    public String runId() {
        return runId;
    }

    public SharedVolume volume() {
        return volume;
    }

    /** How a done marker's name ends: &lt;step&gt;.done.json. */
    public static final String MARKER_SUFFIX = ".done.json";

    public static String markerName(String step) {
        return step + MARKER_SUFFIX;
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
        for (String step : steps.get()) {
            job.step(step);
        }
        Path dir = volume.jobDir(id);
        Files.createDirectories(dir);
        AtomicFiles.writeJson(dir.resolve(RECORD), job);
        AtomicFiles.writeJson(dir.resolve(markerName("intake")), intakeMarker(job));
        return new Created(job, false);
    }

    /** The job's record, from the live jobs or the archive; an unreadable record is repaired (see {@link #repaired}). */
    public Optional<JobRecord> find(String jobId) {
        Path dir;
        try {
            dir = folderOf(jobId);
        } catch (PathOutsideVolumeException e) {
            return Optional.empty();
        }
        if (dir == null) {
            return Optional.empty();
        }
        Path file = dir.resolve(RECORD);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            // created but the record is gone (deleted, or a crash right after the folder): the intake marker says more
            return Files.isRegularFile(dir.resolve(markerName("intake")), LinkOption.NOFOLLOW_LINKS)
                    ? Optional.of(repaired(jobId, dir, "the record job.json is missing")) : Optional.empty();
        }
        try {
            return Optional.of(withMarkers(read(file), dir));
        } catch (IOException e) {
            return Optional.of(repaired(jobId, dir, "the record job.json is unreadable (" + firstLine(e) + ")"));
        }
    }

    public JobRecord get(String jobId) {
        return find(jobId).orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
    }

    /** A job's folder: among the live jobs, else in the archive; null when there is no such job. */
    public Path folderOf(String jobId) {
        Path active = volume.jobDir(jobId);
        if (Files.isDirectory(active, LinkOption.NOFOLLOW_LINKS)) {
            return active;
        }
        Path archived = archive.folderOf(jobId);
        return Files.isDirectory(archived, LinkOption.NOFOLLOW_LINKS) ? archived : null;
    }

    /** The newest jobs first (ids start with their creation time), older than {@code before} when given. */
    public List<JobRecord> recent(int limit, String before) throws IOException {
        List<String> ids = new ArrayList<>(activeIds().stream().filter(id -> before == null || id.compareTo(before) < 0)
                .sorted(Comparator.reverseOrder()).limit(limit).toList());
        ids.addAll(archive.newest(limit, before));
        ids.sort(Comparator.reverseOrder());
        List<JobRecord> out = new ArrayList<>();
        for (String id : ids.subList(0, Math.min(limit, ids.size()))) {
            find(id).ifPresent(out::add);
        }
        return out;
    }

    public List<JobRecord> recent(int limit) throws IOException {
        return recent(limit, null);
    }

    /** The ids of the jobs in jobs/ (live ones, and finished ones not archived yet). */
    public List<String> activeIds() throws IOException {
        try (Stream<Path> dirs = Files.list(volume.jobs())) {
            return dirs.filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)).map(d -> d.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && n.matches(SharedVolume.JOB_ID)).toList();
        }
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
     * the live ones. Returns the ids of the
     * unfinished jobs.
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
                LOG.warn("job {}: could not check it at start-up: {}", id, firstLine(e));
            }
        }
        return ids;
    }

    /** Reads, changes and rewrites a job's record atomically, one writer per job at a time. */
    public JobRecord update(String jobId, Consumer<JobRecord> change) {
        synchronized (lock(jobId)) {
            JobRecord job = get(jobId);
            change.accept(job);
            job.updated = now();
            try {
                AtomicFiles.writeJson(folderOf(jobId).resolve(RECORD), job);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write job " + jobId + ": " + e.getMessage(), e);
            }
            if (job.isTerminal()) {
                finished.add(jobId);
                alive.remove(jobId);
            } else {
                finished.remove(jobId);
                alive.add(jobId);
            }
            return job;
        }
    }

    private Object lock(String jobId) {
        return locks.computeIfAbsent(jobId, k -> new Object());
    }

    /**
     * Whether the watchers should look into a job folder: not for dot-folders, and not for jobs that are finished
     * (their markers must not start anything again).
     */
    public boolean isActiveFolder(String folder) {
        if (folder == null || folder.startsWith(".") || finished.contains(folder)) {
            return false;
        }
        if (alive.contains(folder)) {
            return true;
        }
        Optional<JobRecord> job = find(folder);
        if (job.isPresent()) {
            (job.get().isTerminal() ? finished : alive).add(folder);
        }
        return job.map(j -> !j.isTerminal()).orElse(true);
    }

    /** Whether a step should run now: not done already (the record is corrected from the markers), job alive. */
    public boolean shouldRun(String jobId, String step) {
        return find(jobId).map(j -> !j.isTerminal() && j.step(step).state != Status.DONE
                && j.step(step).state != Status.FAILED).orElse(false);
    }

    public void stepWaiting(String jobId, String step) {
        update(jobId, job -> {
            job.step(step).state = Status.WAITING_FOR_GPU;
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
        synchronized (lock(jobId)) {
            StepRecord s = get(jobId).step(step);
            s.state = Status.DONE;
            s.ended = now();
            s.elapsedMs = s.started == null ? null : Duration.between(Instant.parse(s.started), clock.instant()).toMillis();
            s.artifact = artifact;
            s.error = null;
            s.owner = null;
            if (details != null) {
                s.details.putAll(details);
            }
            writeMarker(jobId, step, s);
            update(jobId, j -> j.steps.put(step, s));
        }
    }

    private void writeMarker(String jobId, String step, StepRecord s) throws IOException {
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
    }

    /** A failure that could not be written yet (a read-only or full volume), and when to try again. */
    private record PendingFailure(String step, int tries, String errorClass, String message, int attempts, Instant next) {
    }

    private final Map<String, PendingFailure> pendingFailures = new ConcurrentHashMap<>();

    /**
     * The failure path, which must never throw: records the failure, or, when the volume refuses the write, keeps it
     * to write later ({@link #flushPendingFailures}) and says so once in the log.
     */
    public void stepFailedOrLater(String jobId, String step, int tries, String errorClass, String message) {
        try {
            stepFailed(jobId, step, tries, errorClass, message);
            pendingFailures.remove(jobId);
        } catch (RuntimeException e) {
            PendingFailure before = pendingFailures.put(jobId, new PendingFailure(step, tries, errorClass, message, 1,
                    clock.instant().plusSeconds(1)));
            if (before == null) {
                LOG.warn("job {}: cannot record its failure at step {} yet ({}); trying again until the volume takes it",
                        jobId, step, firstLine(e));
            }
        }
    }

    /** Writes the failures kept back, each with a doubling pause (at most 15 s) between tries. */
    public void flushPendingFailures() {
        for (Map.Entry<String, PendingFailure> e : pendingFailures.entrySet()) {
            PendingFailure f = e.getValue();
            if (clock.instant().isBefore(f.next())) {
                continue;
            }
            try {
                stepFailed(e.getKey(), f.step(), f.tries(), f.errorClass(), f.message());
                pendingFailures.remove(e.getKey());
                LOG.info("job {}: its failure at step {} is recorded now", e.getKey(), f.step());
            } catch (RuntimeException again) {
                long pause = Math.min(15, 1L << Math.min(f.attempts(), 4));
                pendingFailures.put(e.getKey(), new PendingFailure(f.step(), f.tries(), f.errorClass(), f.message(),
                        f.attempts() + 1, clock.instant().plusSeconds(pause)));
            }
        }
    }

    public boolean hasPendingFailure(String jobId) {
        return pendingFailures.containsKey(jobId);
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
        synchronized (lock(jobId)) {
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
        synchronized (lock(jobId)) {
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
     * Puts a live job's files in order with its record, the shared volume being the truth:
     * <ul>
     * <li>a step recorded done whose marker was lost, but whose artifact is intact: the marker is written again (the
     * step is not run again);</li>
     * <li>a step whose artifact is missing or empty: its marker is set aside and the step goes back to pending, to
     * run again;</li>
     * <li>an unreadable marker is set aside likewise;</li>
     * <li>a missing intake marker (creation cut short) is written again from the record.</li>
     * </ul>
     * Returns the first step that must run again, or null.
     */
    public String audit(String jobId) throws IOException {
        synchronized (lock(jobId)) {
            JobRecord job = get(jobId);
            Path dir = volume.jobDir(jobId);
            if (!Files.exists(dir.resolve(markerName("intake")))) {
                // creation cut short between the record and its marker: without it no step would ever start
                AtomicFiles.writeJson(dir.resolve(markerName("intake")), intakeMarker(job));
            }
            List<String> redo = new ArrayList<>();
            for (String step : steps.get()) {
                StepRecord s = job.step(step);
                Path marker = dir.resolve(markerName(step));
                boolean hasMarker = Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS);
                String artifact = hasMarker ? markerArtifact(marker) : s.artifact;
                if (!hasMarker && s.state != Status.DONE) {
                    continue;
                }
                if (artifact != null && intact(dir.resolve(artifact))) {
                    if (!hasMarker) {
                        writeMarker(jobId, step, s);
                        LOG.warn("job {}: the marker of step {} was missing; its artifact {} is intact, so the marker "
                                + "was written again and the step is not redone", jobId, step, artifact);
                    }
                    continue;
                }
                if (hasMarker) {
                    Files.move(marker, dir.resolve(markerName(step) + ".invalid-" + stamp()));
                }
                redo.add(step);
                LOG.warn("job {}: step {} is done but its artifact {} is missing or empty: the step runs again", jobId,
                        step, artifact);
            }
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

    /** An artifact a later step can use: a regular file (not a link), not empty. */
    private static boolean intact(Path artifact) {
        try {
            return Files.isRegularFile(artifact, LinkOption.NOFOLLOW_LINKS) && Files.size(artifact) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The artifact a marker names, or null when the marker cannot be read. */
    private String markerArtifact(Path marker) {
        try {
            Object artifact = mapper.readValue(marker.toFile(), Map.class).get("artifact");
            return artifact == null ? null : String.valueOf(artifact);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Touches a job's markers so that the watchers see them again and start whatever step has not run (the file
     * consumers key a marker by its name and time). Steps already done, or running here, do not start twice.
     */
    public void touchMarkers(String jobId) throws IOException {
        FileTime now = FileTime.from(clock.instant());
        try (Stream<Path> files = Files.list(volume.jobDir(jobId))) {
            for (Path marker : files.filter(f -> f.getFileName().toString().endsWith(".done.json")).toList()) {
                Files.setLastModifiedTime(marker, now);
            }
        }
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
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("action", action);
        e.put("at", now());
        if (step != null) {
            e.put("step", step);
        }
        return e;
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
        synchronized (lock(jobId)) {
            Path active = volume.jobDir(jobId);
            if (!Files.isDirectory(active, LinkOption.NOFOLLOW_LINKS) || live.anyFor(jobId)) {
                return false;
            }
            try {
                archive.store(jobId, active);
                finished.remove(jobId);
                alive.remove(jobId);
                locks.remove(jobId);
                return true;
            } catch (IOException e) {
                LOG.warn("job {}: could not move it to the archive yet: {}", jobId, firstLine(e));
                return false;
            }
        }
    }

    /** Where the archive keeps a job (for result messages, which outlive the job's move). */
    public Path archivedFolderOf(String jobId) {
        return archive.folderOf(jobId);
    }

    /** Corrects a record from the markers on disk: a marker means done, whatever the record says. */
    private JobRecord withMarkers(JobRecord job, Path dir) {
        for (String step : steps.get()) {
            StepRecord s = job.step(step);
            Path marker = dir.resolve(markerName(step));
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

    private JobRecord read(Path file) throws IOException {
        JobRecord job = mapper.readValue(file.toFile(), JobRecord.class);
        if (job == null || job.jobId == null) {
            throw new IOException("no job in it");
        }
        return job;
    }

    /**
     * A record that cannot be read (a power cut, a full disk, a hand edit) is set aside as
     * {@code job.json.corrupt-<time>} and the job rebuilt from its files: the input from its intake marker, each
     * step's state from its marker, done when its result is in the outbox. Without an input to go on the job is
     * marked failed, saying why. Never throws: one bad job must not block the start or the list.
     */
    private JobRecord repaired(String jobId, Path dir, String why) {
        synchronized (lock(jobId)) {
            Path file = dir.resolve(RECORD);
            try {
                return withMarkers(read(file), dir); // repaired meanwhile by another thread
            } catch (IOException stillBroken) {
                // rebuild below
            }
            String keptAs = RECORD + ".corrupt-" + stamp();
            JobRecord job = rebuild(jobId, dir, why + "; the damaged record is kept as " + keptAs);
            (job.isTerminal() ? alive : finished).remove(jobId);
            (job.isTerminal() ? finished : alive).add(jobId);
            try {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(file, dir.resolve(keptAs));
                }
                AtomicFiles.writeJson(file, job);
                LOG.warn("job {}: {}; rebuilt as {} from its markers", jobId, why, job.status);
            } catch (IOException e) {
                LOG.warn("job {}: {}; rebuilt in memory, not yet on disk: {}", jobId, why, firstLine(e));
            }
            return job;
        }
    }

    private JobRecord rebuild(String jobId, Path dir, String why) {
        Map<?, ?> intake = null;
        try {
            intake = mapper.readValue(dir.resolve(markerName("intake")).toFile(), Map.class);
        } catch (IOException e) {
            // no intake marker to go on
        }
        JobRecord job = new JobRecord();
        job.jobId = jobId;
        job.created = intake != null && intake.get("at") != null ? String.valueOf(intake.get("at")) : now();
        job.updated = now();
        job.source = intake == null ? null : (String) intake.get("source");
        job.input = intake == null || intake.get("input") == null ? null
                : mapper.convertValue(intake.get("input"), JobRequest.class);
        steps.get().forEach(job::step);
        withMarkers(job, dir);
        Map<String, Object> repair = event("repair", null);
        repair.put("reason", why);
        job.events.add(repair);
        boolean allDone = steps.get().stream().allMatch(s -> job.step(s).state == Status.DONE);
        Path result = volume.outbox().resolve(jobId + ".json");
        if (job.input == null) {
            job.status = Status.FAILED;
            job.finished = now();
            job.error = new StepRecord.StepError("CorruptRecordException", why + ", and the job's input could not be "
                    + "recovered from its intake marker: submit the job again", 1, job.finished);
        } else if (allDone && Files.isRegularFile(result)) {
            job.status = Status.DONE;
            job.finished = job.updated;
            job.result = resultPaths(jobId);
        } else {
            job.status = Status.QUEUED;
        }
        return job;
    }

    /** Where a done job's result message and video are, relative to the shared volume. */
    public Map<String, Object> resultPaths(String jobId) {
        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("result", "outbox/" + jobId + ".json");
        paths.put("video", "outbox/" + jobId + ".mp4");
        return paths;
    }

    private Map<String, Object> intakeMarker(JobRecord job) {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("job_id", job.jobId);
        marker.put("step", "intake");
        marker.put("at", job.created);
        marker.put("source", job.source);
        // the input travels with the marker too: a record lost to a power cut can be rebuilt from it
        marker.put("input", job.input);
        return marker;
    }

    /** A time stamp for file names kept aside (inbox/.failed/, job.json.corrupt-...): yyyyMMdd-HHmmss-SSS, UTC. */
    public String stamp() {
        return STAMP.format(clock.instant());
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m;
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
