package dev.talkreel.service.yttools;

import dev.talkreel.service.PollResult;
import dev.talkreel.service.TaskWaits;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pause between two status polls of a yttools task (bound as {@code yttoolsPause}, routes/step-audio.camel.yaml).
 * yttools sends no events, so the only way to notice a cut is done sooner is to poll at the right moment, not more
 * often: a first look soon after the submission (a cached or short cut is done at once), then a poll just after the
 * moment the task's reported {@code progress} and its measured rate say it reaches 100.
 * <p>
 * Bounds, whatever the estimate says: never longer than the configured poll interval (a long task is polled exactly
 * as before), never shorter than the floor, and on average at most one poll per {@code averagePollMs} over the
 * task's life after the first look (the n-th poll comes no earlier than {@code (n - 1) * averagePollMs} after the
 * submission). A task that was due and is still running waits a doubling pause from the floor (a slow last percent:
 * yttools' post-processing reports 99 for a while). Switched off ({@code talkreel.yttools.adaptive-poll = false}),
 * every pause is the plain poll interval.
 * <p>
 * The waiting itself is a {@link TaskWaits} (the plain pause's, so talkreel's stop ends these pauses too).
 */
public final class YttoolsPace {
    /** Tasks followed at once, the oldest forgotten (a task is followed from its submission to its end). */
    private static final int REMEMBERED = 1000;
    /** Added to the predicted end: the poll lands just after it, not a hair before. */
    static final long MARGIN_MS = 50;

    /**
     * @param adaptive      false: every pause is the poll interval
     * @param firstPollMs   the first look after a submission (or after a restart resumed the task)
     * @param minPollMs     the floor of every later pause
     * @param averagePollMs the shortest average pause over a task's life, first look aside
     */
    public record Settings(boolean adaptive, long firstPollMs, long minPollMs, long averagePollMs) {
    }

    private final TaskWaits waits;
    private final Settings settings;
    private final Map<String, Track> tracks = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Track> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** What was seen of one task so far (times in milliseconds of the monotonic clock). */
    private static final class Track {
        final long submittedAt;
        int polls;
        /** The last time the task was seen at 0 % (queued or just begun): the latest possible start of its work. */
        long zeroAt;
        /** The first time it was seen past 0 %, and how far it was then. */
        long firstAt;
        int firstProgress;
        /** When the last estimate said the task would be done (0: no estimate), and how many such times passed. */
        long dueAt;
        int missed;
        long lastWait;

        Track(long now) {
            submittedAt = now;
            zeroAt = now;
        }
    }

    public YttoolsPace(TaskWaits waits, Settings settings) {
        this.waits = waits;
        this.settings = settings;
    }

    /**
     * Waits before the next status poll of {@code taskId}; {@code last} is what the previous poll said (or where the
     * loop began: no progress). Never past {@code timeLeftMs}, what is left of the step's deadline.
     *
     * @return facts for the step's record (none: yttools' progress comes with each poll)
     */
    public Map<String, Object> pause(String taskId, PollResult last, long intervalMs, long timeLeftMs) {
        long wait = settings.adaptive() ? next(taskId, last, intervalMs, nowMs()) : intervalMs;
        return waits.pause(taskId, last, wait, timeLeftMs);
    }

    /** A task carried on after a restart is new to this pace: its first pause is the short first look. */
    public void resumed(String taskId) {
        // nothing to do: the track begins at its first pause
    }

    /** The pause before the next poll of {@code taskId}, at {@code now}; records the poll it leads to. */
    long next(String taskId, PollResult last, long intervalMs, long now) {
        long floor = Math.min(settings.minPollMs(), intervalMs);
        synchronized (tracks) {
            Track t = tracks.computeIfAbsent(taskId == null ? "" : taskId, k -> new Track(now));
            long wait;
            if (t.polls == 0) {
                wait = settings.firstPollMs();
            } else {
                Integer progress = progress(last);
                if (progress == null || progress <= 0) {
                    // queued, or not begun to report: no rate yet; look again after a doubling pause
                    t.zeroAt = now;
                    t.dueAt = 0;
                    wait = Math.max(floor, t.lastWait * 2);
                } else {
                    boolean wasDue = t.dueAt > 0 && now + MARGIN_MS >= t.dueAt;
                    t.missed = wasDue ? t.missed + 1 : 0;
                    long left = remainingMs(t, progress, now);
                    t.dueAt = now + left;
                    wait = Math.max(left + MARGIN_MS, t.missed == 0 ? floor : floor << Math.min(t.missed, 16));
                }
            }
            // one poll per averagePollMs on average over the task's life, the first look aside
            long earliest = t.submittedAt + t.polls * settings.averagePollMs();
            wait = Math.max(wait, earliest - now);
            wait = Math.max(floor, Math.min(wait, intervalMs));
            t.lastWait = wait;
            t.polls++;
            return wait;
        }
    }

    /** How long the task still needs at its measured rate, in milliseconds (progress in percent, 1..100). */
    private static long remainingMs(Track t, int progress, long now) {
        double rate; // percent per millisecond
        if (t.firstAt == 0) {
            t.firstAt = now;
            t.firstProgress = progress;
        }
        if (progress > t.firstProgress && now > t.firstAt) {
            rate = (double) (progress - t.firstProgress) / (now - t.firstAt);
        } else {
            // one reading past 0: its work began after the last time it was seen at 0 (a cautious, slower rate)
            rate = (double) progress / Math.max(1, now - t.zeroAt);
        }
        return (long) Math.ceil(Math.max(0, 100 - progress) / rate);
    }

    /** The {@code progress} a status poll reported (yttools: 0-100), or null when it said none. */
    static Integer progress(PollResult last) {
        Object p = last == null ? null : last.facts().get("progress");
        if (p instanceof Number n) {
            return (int) Math.floor(n.doubleValue());
        }
        if (p instanceof String s) {
            try {
                return (int) Math.floor(Double.parseDouble(s.trim()));
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        return null;
    }

    private static long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }
}
