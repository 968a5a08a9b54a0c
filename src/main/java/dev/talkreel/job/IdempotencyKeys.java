package dev.talkreel.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Idempotency keys on the shared volume: {@code jobs/.keys/<sha256 of the key>} holds the id of the job created
 * under the key and the SHA-256 of that job's request ("{@code <job id> <request hash>}"). The same key with the same
 * request gives the first job back; the same key with a different request is a {@link Conflict} (answered 422), never
 * silently the first job. Files written before the hash was kept hold only the id: those keys are not checked.
 * The key itself is never stored in clear here, nor shown by the API.
 */
public final class IdempotencyKeys {
    private final Path dir;

    public IdempotencyKeys(Path dir) {
        this.dir = dir;
    }

    /** The key was used before for another request. */
    public static final class Conflict extends RuntimeException {
        private final String jobId;

        public Conflict(String jobId) {
            super("this Idempotency-Key was already used for job " + jobId + " with a different request; "
                    + "send a new key for a new job");
            this.jobId = jobId;
        }

        public String jobId() {
            return jobId;
        }
    }

    /**
     * Claims {@code key} for the job about to be created as {@code newId}. Returns the earlier job when the key was
     * already used for the same request (empty: the key is now the new job's); throws {@link Conflict} when it was
     * used for a different one. A key whose job no longer exists (its creation was cut short) is taken over.
     */
    public Optional<JobRecord> claim(String key, String requestHash, String newId,
            Function<String, Optional<JobRecord>> find) throws IOException {
        Path file = dir.resolve(JobStore.sha256(key.getBytes(StandardCharsets.UTF_8)));
        Files.createDirectories(dir);
        String content = newId + " " + requestHash;
        try {
            // one write of a few bytes: a reader sees nothing or all of it (and waits for it below)
            Files.writeString(Files.createFile(file), content, StandardCharsets.UTF_8);
            return Optional.empty();
        } catch (FileAlreadyExistsException e) {
            String[] earlier = waitForContent(file).split(" ");
            Optional<JobRecord> job = earlier[0].isEmpty() ? Optional.empty() : find.apply(earlier[0]);
            if (job.isEmpty()) {
                Files.writeString(file, content, StandardCharsets.UTF_8);
                return Optional.empty();
            }
            if (earlier.length > 1 && !earlier[1].equals(requestHash)) {
                throw new Conflict(earlier[0]);
            }
            return job;
        }
    }

    private static String waitForContent(Path file) throws IOException {
        // the first submitter creates the file and writes it right after; give it a moment
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        String content = Files.readString(file).trim();
        while (content.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            content = Files.readString(file).trim();
        }
        return content;
    }
}
