package dev.talkreel.pipeline;

import dev.talkreel.job.JobStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hand-offs without scan latency (talkreel.watch.in-process): when this process writes a done marker (a step's, or
 * intake's for a new job), the watchers of the steps declared after that step scan at once instead of at their next
 * timed scan. The marker stays the durable truth and the watcher's scan the only path that starts a step; restarts
 * and markers written by another process are found by the timed scans (talkreel.watch.poll-ms), as before.
 */
public final class HandOffs implements JobStore.Observer {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.steps");
    private final Pipeline pipeline;
    private final boolean enabled;
    private final Map<String, Set<WatchScheduler>> watchers = new ConcurrentHashMap<>();

    /** {@code enabled} false: the watchers keep their timed scans only. */
    public HandOffs(Pipeline pipeline, boolean enabled) {
        this.pipeline = pipeline;
        this.enabled = enabled;
    }

    /** A scheduler for one step watcher (bound as the prototype {@code watchScheduler}: one per watcher). */
    public WatchScheduler newScheduler() {
        return new WatchScheduler(this);
    }

    void register(String step, WatchScheduler scheduler) {
        watchers.computeIfAbsent(step, k -> new CopyOnWriteArraySet<>()).add(scheduler);
    }

    void unregister(String step, WatchScheduler scheduler) {
        if (step != null) {
            watchers.getOrDefault(step, Set.of()).remove(scheduler);
        }
    }

    @Override
    public void handedOff(String jobId, String step) {
        try {
            for (StepDefinition next : pipeline.steps()) {
                if (next.after().contains(step)) {
                    wake(next.id());
                }
            }
        } catch (RuntimeException e) {
            // an observer never throws: the timed scan hands the job on regardless
            LOG.debug("could not wake the steps after {} of job {}: {}", step, jobId, e.toString());
        }
    }

    /** The watchers of {@code step} scan now (after the scan going on, if any); switched off, nothing happens. */
    public void wake(String step) {
        if (enabled) {
            watchers.getOrDefault(step, Set.of()).forEach(WatchScheduler::wake);
        }
    }
}
