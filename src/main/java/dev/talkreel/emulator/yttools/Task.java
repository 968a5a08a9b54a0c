package dev.talkreel.emulator.yttools;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One download task. Like the real service, the emulator works on a few tasks at a time (its download workers); a
 * task waiting for a worker reports "processing" at 0 %. A worker makes the audio and spends the rest of the task's
 * processing time (the "task" latency, counted from when the worker took it) before the task is "completed". A task
 * is "failed" once a planned failure's time has come (counted from submission) or the audio could not be made.
 */
final class Task {
    final String id;
    final DownloadRequest request;
    final Path file;
    private final long submittedNanos = System.nanoTime();
    private final Duration latency;
    /** The yt-dlp error this task is planned to end with, or null. */
    private final String plannedError;
    private volatile long startedNanos;
    private volatile long finishedNanos;
    /** When a client first asked for the finished task's audio: how soon it noticed the end (0: not yet). */
    private volatile long fetchedNanos;
    private volatile boolean finished;
    private volatile String generationError;

    Task(String id, DownloadRequest request, Path file, Duration latency, String plannedError) {
        this.id = id;
        this.request = request;
        this.file = file;
        this.latency = latency;
        this.plannedError = plannedError;
    }

    boolean plannedToFail() {
        return plannedError != null;
    }

    /** A worker took the task: its processing time starts now. */
    void started() {
        startedNanos = System.nanoTime();
    }

    /** How much of its processing time the task still has to spend after its audio is written, in nanoseconds. */
    long remainingNanos() {
        return latency.toNanos() - (System.nanoTime() - startedNanos);
    }

    /** The audio is written and the processing time spent. */
    void finished() {
        finishedNanos = System.nanoTime();
        finished = true;
    }

    /** A client asks for the audio of the completed task; the first time is when it noticed the end. */
    synchronized void fetched() {
        if (fetchedNanos == 0) {
            fetchedNanos = System.nanoTime();
        }
    }

    /** How long after its end a client first asked for the task's audio, or null while nobody did. */
    Duration noticedAfter() {
        long fetched = fetchedNanos;
        return fetched == 0 || finishedNanos == 0 ? null : Duration.ofNanos(fetched - finishedNanos);
    }

    void generationFailed(String message) {
        generationError = message;
    }

    String contentType() {
        return request.audioFormat().equals("wav") ? "audio/wav" : "audio/mpeg";
    }

    State state() {
        if (generationError != null) {
            return new State("failed", 0, generationError);
        }
        if (plannedError != null && System.nanoTime() - submittedNanos >= latency.toNanos()) {
            return new State("failed", 0, plannedError);
        }
        if (finished) {
            return new State("completed", 100, null);
        }
        long started = startedNanos;
        if (started == 0) {
            return new State("processing", 0, null);
        }
        long elapsed = System.nanoTime() - started;
        int byTime = latency.isZero() ? 99 : (int) Math.min(99, 100 * elapsed / latency.toNanos());
        return new State("processing", byTime, null);
    }

    /** What {@code GET /api/status/{task_id}} reports. */
    record State(String status, int progress, String error) {
    }
}
