package dev.talkreel.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * How long each step takes here, measured: the last {@code window} durations of each step done (from the job
 * events, and at first use from the recent jobs' records, so a restart keeps what was learnt). A job's time to done
 * is the sum of the median durations of the steps it has left, less the time its running steps have run: the GPU
 * steps take turns, so the steps of a job mostly run one after another.
 */
public final class StepDurations {
    private final int window;
    private final Supplier<List<JobRecord>> history;
    private final Map<String, Deque<Long>> recent = new ConcurrentHashMap<>();
    private volatile boolean seeded;

    public StepDurations(JobEvents events, int window, Supplier<List<JobRecord>> history) {
        if (window < 1) {
            throw new IllegalArgumentException("talkreel.estimate.window must be at least 1, not " + window);
        }
        this.window = window;
        this.history = history;
        events.listen(this::onEvent);
    }

    private void onEvent(JobEvents.Event event) {
        if ("step".equals(event.type()) && event.data().get("state") == Status.DONE
                && event.data().get("elapsed_ms") instanceof Long ms) {
            add((String) event.data().get("step"), ms);
        }
    }

    private void add(String step, long ms) {
        Deque<Long> last = recent.computeIfAbsent(step, k -> new ArrayDeque<>());
        synchronized (last) {
            last.addLast(ms);
            while (last.size() > window) {
                last.removeFirst();
            }
        }
    }

    /** The median of the step's last measured durations, in milliseconds; null when it never ran here. */
    public Long medianMs(String step) {
        seed();
        Deque<Long> last = recent.get(step);
        if (last == null) {
            return null;
        }
        long[] sorted;
        synchronized (last) {
            sorted = last.stream().mapToLong(Long::longValue).toArray();
        }
        if (sorted.length == 0) {
            return null;
        }
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * Seconds until the job is likely done: 0 when done; null when it failed or was cancelled (nothing will happen
     * until someone acts), or when a step it has left never ran here (nothing is known to estimate it from).
     */
    public Long secondsToDone(JobRecord job, Instant now) {
        if (job.status == Status.DONE) {
            return 0L;
        }
        if (job.isTerminal()) {
            return null;
        }
        long ms = 0;
        for (Map.Entry<String, StepRecord> e : job.steps.entrySet()) {
            StepRecord s = e.getValue();
            if (s.state == Status.DONE) {
                continue;
            }
            Long median = medianMs(e.getKey());
            if (median == null) {
                return null;
            }
            long ran = s.state == Status.RUNNING && s.started != null
                    ? Duration.between(Instant.parse(s.started), now).toMillis() : 0;
            ms += Math.max(0, median - ran);
        }
        return (ms + 999) / 1000;
    }

    /** Once, at first use: the durations of the recent jobs' steps, oldest first. */
    private void seed() {
        if (seeded) {
            return;
        }
        synchronized (this) {
            if (seeded) {
                return;
            }
            seeded = true;
            List<JobRecord> jobs = history.get();
            for (int i = jobs.size() - 1; i >= 0; i--) {
                jobs.get(i).steps.forEach((step, s) -> {
                    if (s.state == Status.DONE && s.elapsedMs != null) {
                        add(step, s.elapsedMs);
                    }
                });
            }
        }
    }
}
