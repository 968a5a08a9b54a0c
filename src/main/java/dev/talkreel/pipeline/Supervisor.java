package dev.talkreel.pipeline;

import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.Status;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No job is left with no way out. Every few seconds (routes/supervise.camel.yaml) the supervisor looks at the live jobs:
 * <ul>
 * <li>failures the volume refused to record are written again (a read-only or full volume);</li>
 * <li>a job that is not finished, has no step running in this process, and has not changed for
 * {@code talkreel.supervise.stale-after-ms} is stale: its files are put in order ({@link JobStore#audit}) and its
 * markers touched, so the watchers carry it on from the first step not done;</li>
 * <li>finished jobs move to the archive (failed and cancelled ones after {@code talkreel.archive.after-ms}, so that
 * a retry soon after finds them where they were).</li>
 * </ul>
 * Never throws: one job's trouble is logged and the others are looked at all the same.
 */
public final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.supervisor");
    private final JobStore jobs;
    private final Clock clock;
    private final Duration staleAfter;
    private final Duration archiveAfter;
    private final Map<String, Instant> lastNudge = new ConcurrentHashMap<>();
    /** Jobs whose last look failed: said once in the log, not every round (a read-only volume fails them all). */
    private final Set<String> troubled = ConcurrentHashMap.newKeySet();

    public Supervisor(JobStore jobs, Clock clock, long staleAfterMs, long archiveAfterMs) {
        this.jobs = jobs;
        this.clock = clock;
        this.staleAfter = Duration.ofMillis(staleAfterMs);
        this.archiveAfter = Duration.ofMillis(archiveAfterMs);
    }

    /** One round over the live jobs; returns how many stale jobs it carried on. */
    public int sweep() {
        jobs.flushPendingFailures();
        int nudged = 0;
        try {
            for (String id : jobs.activeIds()) {
                try {
                    nudged += look(id) ? 1 : 0;
                    if (troubled.remove(id)) {
                        LOG.info("job {}: looked after again", id);
                    }
                } catch (RuntimeException | IOException e) {
                    if (troubled.add(id)) {
                        LOG.warn("job {}: cannot look after it ({}); trying again every round, quietly", id, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list the live jobs: {}", e.getMessage());
        }
        return nudged;
    }

    private boolean look(String id) throws IOException {
        if (jobs.hasPendingFailure(id) || jobs.live().anyFor(id)) {
            return false;
        }
        JobRecord job = jobs.find(id).orElse(null);
        if (job == null) {
            return false; // a folder being created: its record comes next
        }
        Instant now = clock.instant();
        if (job.isTerminal()) {
            lastNudge.remove(id);
            boolean old = job.finished == null || Instant.parse(job.finished).plus(archiveAfter).isBefore(now);
            if ((job.status == Status.DONE) || old) {
                jobs.archive(id);
            }
            return false;
        }
        Instant last = jobs.lastActivity(id);
        Instant nudge = lastNudge.get(id);
        if (nudge != null && nudge.isAfter(last)) {
            last = nudge;
        }
        if (last.plus(staleAfter).isAfter(now)) {
            return false;
        }
        String redo = jobs.audit(id);
        jobs.touchMarkers(id);
        lastNudge.put(id, now);
        LOG.warn("job {} ({}, step {}) had nothing running for it for {} s: carried on{}", id, job.status,
                job.currentStep, Duration.between(last, now).toSeconds(), redo == null ? "" : " from step " + redo);
        return true;
    }
}
