package dev.talkreel.callback;

import java.nio.file.Path;

/**
 * One outcome to deliver, as kept in {@code <shared>/callbacks/<file>} until it is sent or given up: the job, the
 * URL, the outcome (done or failed), the exact body to POST, and when the outcome happened (the deadline counts
 * from it, across restarts).
 */
public record Callback(Path file, String jobId, String url, String outcome, String payload, long createdMillis,
                       boolean expired, String refusal) {

    /** The delivery's id, the same for every attempt: a receiver can drop a repeat with it. */
    public String deliveryId() {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".json".length());
    }
}
