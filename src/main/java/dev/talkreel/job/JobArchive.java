package dev.talkreel.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where finished jobs go: {@code <shared>/archive/<yyyyMMdd>/<job_id>/}, out of {@code jobs/}, so that the watchers,
 * the start-up scan and the supervisor only ever look at live jobs and cost nothing more as history grows. Job ids
 * start with their creation day, so a job is found again without any index, and the newest come first by name.
 */
public final class JobArchive {
    private final Path root;

    public JobArchive(Path root) {
        this.root = root;
    }

    /** The archive folder of a job (whether it is there or not). */
    public Path folderOf(String jobId) {
        String day = jobId.length() >= 8 && jobId.substring(0, 8).chars().allMatch(Character::isDigit)
                ? jobId.substring(0, 8) : "undated";
        return root.resolve(day).resolve(jobId);
    }

    /** Moves a job's folder into the archive in one rename. */
    public void store(String jobId, Path activeFolder) throws IOException {
        move(activeFolder, folderOf(jobId));
    }

    /** Moves an archived job back among the live ones (a retried failed job). */
    public void restore(String jobId, Path activeFolder) throws IOException {
        move(folderOf(jobId), activeFolder);
    }

    /**
     * One rename, not synced: a move lost to a power cut leaves the job where it was, finished, and the next start
     * moves it again.
     */
    private static void move(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Archived job ids, newest first, older than {@code before} when given (the paging cursor of the list API), at
     * most {@code limit}. Reads only as many day folders as it needs.
     */
    public List<String> newest(int limit, String before) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        for (String day : names(root)) {
            if (out.size() >= limit) {
                break;
            }
            if (before != null && before.length() >= 8 && day.compareTo(before.substring(0, 8)) > 0) {
                continue;
            }
            for (String id : names(root.resolve(day))) {
                if (out.size() >= limit) {
                    break;
                }
                if (before == null || id.compareTo(before) < 0) {
                    out.add(id);
                }
            }
        }
        return out;
    }

    /**
     * The entry names of an archive folder, newest (greatest) first. Only talkreel writes here, one folder per day and
     * per job: names are enough (no stat of thousands of entries), dot-names aside.
     */
    static List<String> names(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .sorted(Comparator.reverseOrder()).toList();
        }
    }
}
