package dev.talkreel.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The pause between two polls of a task (the submit-then-poll template): it lasts its interval, or ends as soon as
 * the service says the task has finished. A service without events (yttools, bound as {@code plainPause}) just
 * waits. Every wait ends at its deadline, on a wake-up, or when talkreel begins to stop; none spins.
 * <p>
 * Two signals, because a service may announce the end a moment before its status shows it (ComfyUI sends
 * execution_success, then writes /history, then sends executing null): {@link #ended} ends the pause at most
 * {@code settleMs} later, {@link #settled} ends it at once.
 */
public class TaskWaits {
    /** Tasks with news nobody waits for yet (a render that ended before its first pause), the oldest forgotten. */
    private static final int REMEMBERED = 1000;

    private final Object lock = new Object();
    private final Map<String, Task> tasks = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** Moves on every wake-up of all waiters (a socket opened or closed: their intervals change; a stop). */
    private long generation;
    /** Pauses going on right now. */
    private int waiting;

    /** What is known of one task since its last pause ended. */
    private static final class Task {
        long endedAt;
        boolean settled;
        boolean woken;
        String progress;
    }

    /**
     * The plain pause of a service that sends no events: {@code intervalMs}, or what is left of the step's deadline
     * if that is less (the poll that follows then ends the step in time). {@code last}, what the previous poll said,
     * is part of every pause bean's signature (the template passes it); a plain pause has no use for it.
     */
    public Map<String, Object> pause(String taskId, PollResult last, long intervalMs, long timeLeftMs) {
        long max = Math.min(intervalMs, timeLeftMs);
        return await(taskId, max, max);
    }

    /**
     * A task carried on after a restart: the service may have ended it while talkreel was away (its events lost), so
     * its next pause is as short as after an end event.
     */
    public void resumed(String taskId) {
        ended(taskId);
    }

    /**
     * Waits until the task has settled, {@code settleMs} after it ended, or {@code maxMs}, whichever comes first.
     *
     * @return what was learnt meanwhile for the step's record ({@code progress: "7/20"}), maybe empty
     */
    public Map<String, Object> await(String taskId, long maxMs, long settleMs) {
        synchronized (lock) {
            Task task = taskId == null ? new Task() : tasks.computeIfAbsent(taskId, k -> new Task());
            long startGeneration = generation;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxMs));
            waiting++;
            try {
                while (generation == startGeneration && !task.settled && !task.woken) {
                    long end = task.endedAt == 0 ? deadline
                            : Math.min(deadline, task.endedAt + TimeUnit.MILLISECONDS.toNanos(settleMs));
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiting--;
            }
            // forgotten once told: the next pause waits its whole interval unless new events come
            if (taskId != null) {
                tasks.remove(taskId);
            }
            return task.progress == null ? Map.of() : Map.of("progress", task.progress);
        }
    }

    /** The service says the task ended (its status may lag by up to the settle time). */
    public void ended(String taskId) {
        update(taskId, t -> t.endedAt = t.endedAt == 0 ? System.nanoTime() : t.endedAt);
    }

    /** The service's status now shows the task's end: its pause ends at once. */
    public void settled(String taskId) {
        update(taskId, t -> t.settled = true);
    }

    /** How far the task has come, e.g. sampler step 7 of 20; told at the end of its pause. */
    public void progress(String taskId, long value, long max) {
        update(taskId, t -> t.progress = value + "/" + max);
    }

    /** Ends the task's pause now (a cancel or a failure that wants it to stop waiting). */
    public void wake(String taskId) {
        update(taskId, t -> t.woken = true);
    }

    /** How many pauses are going on right now (diagnostics, tests). */
    public int waiting() {
        synchronized (lock) {
            return waiting;
        }
    }

    /** Ends every pause now; each caller polls once and picks its next interval. */
    public void wakeAll() {
        synchronized (lock) {
            generation++;
            lock.notifyAll();
        }
    }

    /**
     * talkreel is stopping: every pause ends now, so the poll loop sees the shutdown and lets its task be resumed
     * after the restart. Later pauses wait as usual: a loop still turning must not spin.
     */
    public void stop() {
        wakeAll();
    }

    private void update(String taskId, Consumer<Task> change) {
        if (taskId == null) {
            return;
        }
        synchronized (lock) {
            change.accept(tasks.computeIfAbsent(taskId, k -> new Task()));
            lock.notifyAll();
        }
    }
}
