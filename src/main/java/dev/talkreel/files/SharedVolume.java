package dev.talkreel.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folders of the shared volume, and the guard that keeps every path talkreel writes or reads inside it.
 * <pre>
 * inbox/            job files dropped by users; .done/ and .failed/ keep the originals
 * jobs/&lt;job_id&gt;/    one folder per job: job.json, artifacts, and &lt;step&gt;.done.json markers
 * outbox/           &lt;job_id&gt;.json (the result message) and &lt;job_id&gt;.mp4 (the video)
 * archive/&lt;day&gt;/&lt;job_id&gt;/   finished jobs, out of the way of the watchers
 * </pre>
 */
public final class SharedVolume {
    /** What a job id may look like: a plain folder name, never a path. */
    public static final String JOB_ID = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}";
    private final Path root;

    /** The volume at {@code root}, its folders made. */
    public SharedVolume(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        create();
    }

    private SharedVolume(Path root, boolean unmade) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * The volume at {@code root}, nothing made yet ({@link #create()} makes its folders): serve's check runs beside
     * the orchestrator's boot and may still refuse the start, which then leaves no trace on the volume.
     */
    public static SharedVolume at(Path root) {
        return new SharedVolume(root, true);
    }

    /** Makes the folders that are missing. */
    public void create() throws IOException {
        Files.createDirectories(inbox().resolve(".done"));
        Files.createDirectories(inbox().resolve(".failed"));
        Files.createDirectories(jobs());
        Files.createDirectories(outbox());
        Files.createDirectories(archive());
    }

    public Path root() {
        return root;
    }

    public Path inbox() {
        return root.resolve("inbox");
    }

    public Path jobs() {
        return root.resolve("jobs");
    }

    public Path outbox() {
        return root.resolve("outbox");
    }

    public Path archive() {
        return root.resolve("archive");
    }

    /** A path as API answers and result messages give it: relative to the shared volume, never the host's. */
    public String relative(Path path) {
        return root.relativize(inside(path)).toString();
    }

    /** The folder of one job; the id is checked so that it can never name a folder elsewhere. */
    public Path jobDir(String jobId) {
        if (jobId == null || !jobId.matches(JOB_ID)) {
            throw new PathOutsideVolumeException("'" + jobId + "' is not a job id");
        }
        return inside(jobs().resolve(jobId));
    }

    /** Returns {@code path} when it lies inside the shared volume, or refuses it. */
    public Path inside(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            throw new PathOutsideVolumeException(path + " is outside the shared volume " + root);
        }
        return p;
    }
}
