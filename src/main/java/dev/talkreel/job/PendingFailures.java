package dev.talkreel.job;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step failures that could not be written yet (a read-only or full volume): the failure path must never throw, so a
 * refused write is kept here and tried again by the supervisor, with a doubling pause, until the volume takes it.
 */
final class PendingFailures {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.jobs");

    /** What a failed step records: which step, after how many tries, the error class and a human sentence. */
    record Failure(String step, int tries, String errorClass, String message) {
    }

    /** How a failure is written into its job's record; throws when the volume refuses. */
    interface Writer {
        void write(String jobId, Failure failure);
    }

    /** A failure kept back, how many times it was tried, and when to try again. */
    private record Kept(Failure failure, int attempts, Instant next) {
    }

    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Writer writer;

    PendingFailures(Clock clock, Writer writer) {
        this.clock = clock;
        this.writer = writer;
    }

    /** Writes the failure now, or keeps it to write later and says so once in the log. */
    void writeOrKeep(String jobId, Failure failure) {
        try {
            writer.write(jobId, failure);
            kept.remove(jobId);
        } catch (RuntimeException e) {
            Kept before = kept.put(jobId, new Kept(failure, 1, clock.instant().plusSeconds(1)));
            if (before == null) {
                LOG.warn("job {}: cannot record its failure at step {} yet ({}); "
                        + "trying again until the volume takes it", jobId, failure.step(), JobRecords.firstLine(e));
            }
        }
    }

    /** Writes the failures kept back whose time has come, each with a doubling pause (at most 15 s) between tries. */
    void flush() {
        for (Map.Entry<String, Kept> e : kept.entrySet()) {
            Kept k = e.getValue();
            if (clock.instant().isBefore(k.next())) {
                continue;
            }
            try {
                writer.write(e.getKey(), k.failure());
                kept.remove(e.getKey());
                LOG.info("job {}: its failure at step {} is recorded now", e.getKey(), k.failure().step());
            } catch (RuntimeException again) {
                long pause = Math.min(15, 1L << Math.min(k.attempts(), 4));
                kept.put(e.getKey(), new Kept(k.failure(), k.attempts() + 1, clock.instant().plusSeconds(pause)));
            }
        }
    }

    boolean has(String jobId) {
        return kept.containsKey(jobId);
    }
}
