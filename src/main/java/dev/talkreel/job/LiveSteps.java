package dev.talkreel.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The steps this process is working on right now, from the moment a watcher takes them until their exchange ends,
 * however it ends. A step is claimed once: a marker seen twice (a touch, a restart's catch-up scan) never runs the
 * same step twice at the same time; and a job with no claimed step and no progress has no owner, which is how the
 * supervisor knows it must carry it on.
 */
public final class LiveSteps {
    private final Set<String> live = ConcurrentHashMap.newKeySet();

    /** Takes a step; false when this process already runs it. */
    public boolean claim(String jobId, String step) {
        return live.add(key(jobId, step));
    }

    public void release(String jobId, String step) {
        live.remove(key(jobId, step));
    }

    public boolean isLive(String jobId, String step) {
        return live.contains(key(jobId, step));
    }

    /** Whether any step of the job is being worked on in this process. */
    public boolean anyFor(String jobId) {
        String prefix = jobId + "/";
        return live.stream().anyMatch(k -> k.startsWith(prefix));
    }

    public int size() {
        return live.size();
    }

    private static String key(String jobId, String step) {
        return jobId + "/" + step;
    }
}
