package dev.talkreel.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One client's open event stream. Until the first frame (the job's state when the client connected) is sent, the
 * live events are held, so the client sees them after it and never misses one; then every frame is written as it
 * comes. A client that does not read is dropped once its queue is full: nothing is buffered without bound.
 */
final class EventStream {
    /** Most events held while the first frame is read (a few milliseconds): more means the stream is dropped. */
    private static final int MAX_HELD = 256;

    private final HttpServerResponse response;
    /** The job watched, or null for every job. */
    private final String jobId;
    private final Consumer<EventStream> onClose;
    private List<String> held = new ArrayList<>();
    private boolean closed;

    EventStream(HttpServerResponse response, String jobId, int maxQueuedBytes, Consumer<EventStream> onClose) {
        this.response = response;
        this.jobId = jobId;
        this.onClose = onClose;
        response.setWriteQueueMaxSize(maxQueuedBytes);
        response.closeHandler(v -> close(false));
    }

    boolean wants(String eventJobId) {
        return jobId == null || jobId.equals(eventJobId);
    }

    /** Sends the first frame (may be empty), then the events held meanwhile; from now on events go out at once. */
    synchronized void start(String first) {
        write(first);
        List<String> backlog = held;
        held = null;
        if (backlog != null) {
            backlog.forEach(this::write);
        }
    }

    /** A live event, or a heartbeat. */
    synchronized void send(String frame) {
        if (held != null) {
            if (held.size() >= MAX_HELD) {
                close(true);
                return;
            }
            held.add(frame);
            return;
        }
        write(frame);
    }

    private void write(String frame) {
        if (closed || frame.isEmpty()) {
            return;
        }
        if (response.writeQueueFull()) {
            // a slow client: dropped rather than buffered; EventSource reconnects and gets the state again
            close(true);
            return;
        }
        response.write(Buffer.buffer(frame));
    }

    /** Ends the stream (closing the connection when the client is dropped); idempotent. */
    synchronized void close(boolean dropConnection) {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(this);
        if (dropConnection) {
            response.reset();
        } else if (!response.ended() && !response.closed()) {
            response.end();
        }
    }
}
