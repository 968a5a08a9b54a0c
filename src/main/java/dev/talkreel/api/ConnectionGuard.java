package dev.talkreel.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the API's HTTP server answering whatever clients do with their connections. Vert.x's idle timeout alone
 * does not do it: a slowloris client sends one header line every few seconds, so its connection is never idle, and
 * 20,000 of them once ran the process out of file descriptors. So, for every connection of the API server:
 * <ul>
 * <li><b>header timeout</b>: a connection waiting for a request (just opened, or between two keep-alive requests)
 * that has not completed the request's headers within {@code headerTimeoutMs} is closed;</li>
 * <li><b>request timeout</b>: a request whose answer has not been sent within {@code requestTimeoutMs} (a body
 * trickled byte by byte) is closed;</li>
 * <li><b>connection limit</b>: when a new connection would go over {@code maxConnections}, the connection that has
 * waited longest without a complete request is closed to make room. A normal client sends its request at once, so
 * it is never the one that has waited longest: it is never locked out. Only when every connection is busy with a
 * real request is the new one refused.</li>
 * </ul>
 * The request's headers are complete when Vert.x hands the request to the server's request handler; its answer is
 * sent when the response has ended (looked at by the sweep: Vert.x Web owns the response's end handler).
 */
public final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.http");

    /** The limits, from talkreel.http.* (config/application.properties). */
    public record Limits(long idleTimeoutMs, long headerTimeoutMs, long requestTimeoutMs, int maxConnections) {
        public Limits {
            if (headerTimeoutMs <= 0 || requestTimeoutMs <= 0 || idleTimeoutMs <= 0 || maxConnections < 1) {
                throw new IllegalArgumentException("talkreel.http timeouts and max-connections must be positive");
            }
        }
    }

    /** What is known of one connection. Fields are written under the guard's lock or by the sweep. */
    private static final class Conn {
        /** When it started waiting for a request's headers (opened, or its last answer ended). */
        volatile long waitingSince;
        /** The request being answered, or null while waiting for headers. */
        volatile HttpServerRequest current;
        volatile long requestSince;
        /** The request being answered is an open-ended event stream, bounded by {@link EventStreams}. */
        volatile boolean streaming;

        Conn(long now) {
            this.waitingSince = now;
        }
    }

    private final Limits limits;
    private final Map<HttpConnection, Conn> open = new ConcurrentHashMap<>();
    private final AtomicLong shedHeader = new AtomicLong();
    private final AtomicLong shedRequest = new AtomicLong();
    private final AtomicLong shedForRoom = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public ConnectionGuard(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** Registered as the server's connection handler: counts the connection in, making room if needed. */
    public void connected(HttpConnection connection) {
        long now = System.nanoTime();
        HttpConnection victim = null;
        boolean refuse = false;
        synchronized (this) {
            if (open.size() >= limits.maxConnections()) {
                victim = longestWaiting();
                refuse = victim == null;
                if (victim != null) {
                    open.remove(victim);
                }
            }
            if (!refuse) {
                open.put(connection, new Conn(now));
            }
        }
        if (refuse) {
            refused.incrementAndGet();
            connection.close();
            return;
        }
        connection.closeHandler(v -> open.remove(connection));
        if (victim != null) {
            shedForRoom.incrementAndGet();
            victim.close();
        }
    }

    /** Wraps the server's request handler: the request's headers are complete when it is called. */
    public Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
        return request -> {
            Conn c = open.get(request.connection());
            if (c != null) {
                c.requestSince = System.nanoTime();
                c.current = request;
                c.streaming = false;
            }
            next.handle(request);
        };
    }

    /**
     * The request is answered by an event stream, which stays open by design: it is exempt from the request timeout
     * (the streams have their own cap, heartbeat and slow-client rule). The idle timeout still applies.
     */
    public void streaming(HttpServerRequest request) {
        // the request given is Vert.x Web's wrapper of the one the guard saw: the connection is what they share
        Conn c = open.get(request.connection());
        if (c != null && c.current != null) {
            c.streaming = true;
        }
    }

    /** Run every few hundred milliseconds: closes the connections past their header or request timeout. */
    public void sweep() {
        long now = System.nanoTime();
        long headerNanos = TimeUnit.MILLISECONDS.toNanos(limits.headerTimeoutMs());
        long requestNanos = TimeUnit.MILLISECONDS.toNanos(limits.requestTimeoutMs());
        for (Map.Entry<HttpConnection, Conn> e : open.entrySet()) {
            Conn c = e.getValue();
            HttpServerRequest request = c.current;
            if (request != null && request.response().ended()) {
                // the answer went out: the connection waits for the next request's headers from now on
                c.current = null;
                c.waitingSince = now;
                request = null;
            }
            boolean late = request == null ? now - c.waitingSince > headerNanos
                    : !c.streaming && now - c.requestSince > requestNanos;
            if (late && open.remove(e.getKey(), c)) {
                (request == null ? shedHeader : shedRequest).incrementAndGet();
                e.getKey().close();
            }
        }
    }

    /** Starts the sweep on {@code scheduler}; its interval is a tenth of the header timeout, 50 to 1000 ms. */
    public void start(ScheduledExecutorService scheduler) {
        long every = Math.max(50, Math.min(1000, limits.headerTimeoutMs() / 10));
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (RuntimeException e) {
                LOG.warn("HTTP connection sweep failed: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** The connection waiting for headers the longest (never one being answered); null when all are busy. */
    private HttpConnection longestWaiting() {
        HttpConnection oldest = null;
        long since = 0;
        for (Map.Entry<HttpConnection, Conn> e : open.entrySet()) {
            Conn c = e.getValue();
            if (c.current == null && (oldest == null || c.waitingSince - since < 0)) {
                since = c.waitingSince;
                oldest = e.getKey();
            }
        }
        return oldest;
    }

    /** Connections open now. */
    public int openConnections() {
        return open.size();
    }

    /** How many connections were closed, by cause: header timeout, request timeout, to make room, refused. */
    public Map<String, Long> shed() {
        return Map.of("header_timeout", shedHeader.get(), "request_timeout", shedRequest.get(),
                "made_room", shedForRoom.get(), "refused", refused.get());
    }
}
