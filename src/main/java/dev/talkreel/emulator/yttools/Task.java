package dev.talkreel.emulator.yttools;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One download task. Its state is worked out whenever it is asked for, from the clock and from whether the audio
 * file exists, so no timer has to flip it: it is "completed" once the file is written AND its processing time has
 * passed, and "failed" once a planned failure's time has come or the audio could not be made.
 */
final class Task {
    final String id;
    final DownloadRequest request;
    final Path file;
    private final long submittedNanos = System.nanoTime();
    private final Duration latency;
    /** The yt-dlp error this task is planned to end with, or null. */
    private final String plannedError;
    private volatile boolean written;
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

    void written() {
        written = true;
    }

    void generationFailed(String message) {
        generationError = message;
    }

    String contentType() {
        return request.audioFormat().equals("wav") ? "audio/wav" : "audio/mpeg";
    }

    State state() {
        long elapsed = System.nanoTime() - submittedNanos;
        boolean due = elapsed >= latency.toNanos();
        if (generationError != null) {
            return new State("failed", 0, generationError);
        }
        if (plannedError != null && due) {
            return new State("failed", 0, plannedError);
        }
        if (written && due) {
            return new State("completed", 100, null);
        }
        int byTime = latency.isZero() ? 99 : (int) Math.min(99, 100 * elapsed / latency.toNanos());
        // until the file exists the task cannot look nearly done
        return new State("processing", written ? byTime : Math.min(byTime, 90), null);
    }

    /** What {@code GET /api/status/{task_id}} reports. */
    record State(String status, int progress, String error) {
    }
}
