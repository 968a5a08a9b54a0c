package dev.talkreel.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.PathOutsideVolumeException;
import dev.talkreel.files.SharedVolume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job records ({@code job.json}) of the live jobs and the archive: found, read with the markers' corrections,
 * written one writer per job, repaired when they cannot be read, and listed newest first. It also remembers which
 * jobs are alive or finished: this process is the one writer of the records (one orchestrator per volume), and every
 * record goes through {@link #write} or a repair, so the watchers can ask memory, not the disk, at every scan.
 */
final class JobRecords {
    static final String RECORD = "job.json";
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.jobs");

    private final SharedVolume volume;
    private final JobArchive archive;
    private final JobMarkers markers;
    private final JobTime time;
    private final ObjectMapper mapper;
    /** The declared steps, in order (routes/, read by the Pipeline): a job has one record per step. */
    private final Supplier<List<String>> steps;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** Jobs known to be done, failed or cancelled: the watchers skip their folders. */
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    /** Jobs known to be alive. */
    private final Set<String> alive = ConcurrentHashMap.newKeySet();

    JobRecords(SharedVolume volume, JobArchive archive, JobMarkers markers, JobTime time, ObjectMapper mapper,
            Supplier<List<String>> steps) {
        this.volume = volume;
        this.archive = archive;
        this.markers = markers;
        this.time = time;
        this.mapper = mapper;
        this.steps = steps;
    }

    /** The one lock per job that every change of its files holds: one writer per job at a time. */
    Object lock(String jobId) {
        return locks.computeIfAbsent(jobId, k -> new Object());
    }

    /** A job that left the live jobs (archived): nothing about it needs keeping in memory. */
    void forget(String jobId) {
        finished.remove(jobId);
        alive.remove(jobId);
        locks.remove(jobId);
    }

    /** Writes a job's record (fsynced, atomically) where the job is, and notes whether it is still alive. */
    void write(String jobId, JobRecord job) {
        try {
            AtomicFiles.writeJson(folderOf(jobId).resolve(RECORD), job);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write job " + jobId + ": " + e.getMessage(), e);
        }
        note(job);
    }

    /** Writes the record of a job just created, in its new folder. */
    void writeNew(Path dir, JobRecord job) throws IOException {
        AtomicFiles.writeJson(dir.resolve(RECORD), job);
    }

    private void note(JobRecord job) {
        (job.isTerminal() ? alive : finished).remove(job.jobId);
        (job.isTerminal() ? finished : alive).add(job.jobId);
    }

    /**
     * Whether the watchers should look into a job folder: not for dot-folders, and not for jobs that are finished
     * (their markers must not start anything again).
     */
    boolean isActiveFolder(String folder) {
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

    /**
     * The job's record, from the live jobs or the archive; an unreadable record is {@link #repaired}. A folder the
     * archive moved while it was read is looked for again where it went: a record that vanished with its folder is
     * not damaged, and rebuilding it would bring back a job that was archived as a new, failed one.
     */
    Optional<JobRecord> find(String jobId) {
        // a second look only when the folder went away while it was read (archived meanwhile)
        for (int look = 0; look < 2; look++) {
            Path dir;
            try {
                dir = folderOf(jobId);
            } catch (PathOutsideVolumeException e) {
                return Optional.empty();
            }
            if (dir == null) {
                return Optional.empty();
            }
            Optional<JobRecord> job = readIn(jobId, dir);
            if (job.isPresent() || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return job;
            }
        }
        return Optional.empty();
    }

    /** The record in {@code dir}, repaired if damaged; empty when there is none, or the folder itself is gone. */
    private Optional<JobRecord> readIn(String jobId, Path dir) {
        Path file = dir.resolve(RECORD);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            // created but the record is gone (deleted, or a crash right after the folder): the intake marker says more
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && markers.hasIntake(dir)
                    ? Optional.of(repaired(jobId, dir, "the record job.json is missing")) : Optional.empty();
        }
        try {
            return Optional.of(markers.applyTo(read(file), dir, steps.get()));
        } catch (IOException e) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            return Optional.of(repaired(jobId, dir, "the record job.json is unreadable (" + firstLine(e) + ")"));
        }
    }

    JobRecord get(String jobId) {
        return find(jobId).orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
    }

    /** A job's folder: among the live jobs, else in the archive; null when there is no such job. */
    Path folderOf(String jobId) {
        Path active = volume.jobDir(jobId);
        if (Files.isDirectory(active, LinkOption.NOFOLLOW_LINKS)) {
            return active;
        }
        Path archived = archive.folderOf(jobId);
        return Files.isDirectory(archived, LinkOption.NOFOLLOW_LINKS) ? archived : null;
    }

    /** The newest jobs first (ids start with their creation time), older than {@code before} when given. */
    List<JobRecord> recent(int limit, String before) throws IOException {
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

    /** The ids of the jobs in jobs/ (live ones, and finished ones not archived yet). */
    List<String> activeIds() throws IOException {
        try (Stream<Path> dirs = Files.list(volume.jobs())) {
            return dirs.filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))
                    .map(d -> d.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && n.matches(SharedVolume.JOB_ID)).toList();
        }
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
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                // archived meanwhile: the record went with its folder and is read there
                return get(jobId);
            }
            try {
                return markers.applyTo(read(file), dir, steps.get()); // repaired meanwhile by another thread
            } catch (IOException stillBroken) {
                // rebuild below
            }
            String keptAs = RECORD + ".corrupt-" + time.stamp();
            JobRecord job = rebuild(jobId, dir, why + "; the damaged record is kept as " + keptAs);
            // noted before the write: a job rebuilt in memory only is still what the watchers must go by
            note(job);
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
        Map<?, ?> intake = markers.readIntake(dir);
        JobRecord job = new JobRecord();
        job.jobId = jobId;
        job.created = intake != null && intake.get("at") != null ? String.valueOf(intake.get("at")) : time.now();
        job.updated = time.now();
        job.source = intake == null ? null : (String) intake.get("source");
        job.input = intake == null || intake.get("input") == null ? null
                : mapper.convertValue(intake.get("input"), JobRequest.class);
        steps.get().forEach(job::step);
        markers.applyTo(job, dir, steps.get());
        Map<String, Object> repair = event("repair", null, time.now());
        repair.put("reason", why);
        job.events.add(repair);
        boolean allDone = steps.get().stream().allMatch(s -> job.step(s).state == Status.DONE);
        Path result = volume.outbox().resolve(jobId + ".json");
        if (job.input == null) {
            job.status = Status.FAILED;
            job.finished = time.now();
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

    /** An entry of a record's events: what happened to the job (retry, cancel, repair, redo), when, at which step. */
    static Map<String, Object> event(String action, String step, String at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("action", action);
        e.put("at", at);
        if (step != null) {
            e.put("step", step);
        }
        return e;
    }

    /** Where a done job's result message and video are, relative to the shared volume. */
    static Map<String, Object> resultPaths(String jobId) {
        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("result", "outbox/" + jobId + ".json");
        paths.put("video", "outbox/" + jobId + ".mp4");
        return paths;
    }

    /** The first line of an error's message: enough for a log line about one job. */
    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m;
    }
}
