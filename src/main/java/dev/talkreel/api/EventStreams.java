package dev.talkreel.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.SharedVolume;
import dev.talkreel.job.JobEvents;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live progress of jobs as Server-Sent Events: {@code GET /api/jobs/{id}/events} (one job: its current state
 * first, as the status answer gives it, then each event) and {@code GET /api/events} (every job's events from now on).
 * <p>
 * Why Vert.x and not a Camel route: a platform-http route answers once, with a whole body, and cannot hold an
 * open-ended response. These two GETs are routes of their own on the same Vert.x router the REST routes are on, so
 * they share the port, the connection guard ({@link ConnectionGuard#streaming} exempts them from the request
 * timeout) and the auth rule of {@link ApiGuard}; as EventSource cannot send headers, they alone also take the token
 * as {@code ?token=}. Bounded: at most {@code maxStreams} open (503 beyond), a comment line every
 * {@code heartbeatMs} so proxies and the idle timeout keep them open, and a client that does not read is dropped.
 */
public final class EventStreams {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.events");
    /** JSON on one line: an SSE data line ends at a newline. */
    private static final ObjectWriter ONE_LINE = AtomicFiles.JSON.writer().without(SerializationFeature.INDENT_OUTPUT);

    /** The limits, from talkreel.events.* (config/application.properties). */
    public record Limits(int maxStreams, long heartbeatMs, int maxQueuedBytes) {
    }

    private final JobStore jobs;
    private final ApiGuard guard;
    private final ConnectionGuard connections;
    /** The first frame of a job's stream: its status answer. */
    private final Function<JobRecord, Object> snapshot;
    private final Limits limits;
    private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
    private Vertx vertx;
    private long heartbeat = -1;
    private AutoCloseable listening;

    public EventStreams(JobStore jobs, ApiGuard guard, ConnectionGuard connections, Function<JobRecord, Object> snapshot,
            Limits limits) {
        this.jobs = jobs;
        this.guard = guard;
        this.connections = connections;
        this.snapshot = snapshot;
        this.limits = limits;
    }

    /**
     * Adds the streams to the router of the API's port once platform-http has set it up (before the routes start),
     * and closes them when Camel stops.
     */
    public void installOn(CamelContext camel, int port) throws Exception {
        camel.addStartupListener((context, alreadyStarted) -> {
            // the API port's router by name: a management server on another port would have one of its own
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                    VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router == null) {
                // camel.server.enabled = false (a route test): no API, so no streams either
                LOG.warn("no HTTP server on port {}: no event streams", port);
                return;
            }
            register(router, router.vertx());
        });
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                stop();
            }
        });
    }

    /** Adds the two GETs to the API's router, and starts listening to the jobs and sending heartbeats. */
    void register(Router router, Vertx vertx) {
        this.vertx = vertx;
        router.route(HttpMethod.GET, "/api/jobs/:id/events").handler(ctx -> open(ctx, ctx.pathParam("id")));
        router.route(HttpMethod.GET, "/api/events").handler(ctx -> open(ctx, null));
        listening = jobs.events().listen(this::publish);
        heartbeat = vertx.setPeriodic(limits.heartbeatMs(), id -> open.forEach(s -> s.send(": keep-alive\n\n")));
    }

    /** Closes every stream and stops listening (at shutdown). */
    public void stop() {
        if (vertx != null && heartbeat >= 0) {
            vertx.cancelTimer(heartbeat);
        }
        if (listening != null) {
            try {
                listening.close();
            } catch (Exception e) {
                LOG.debug("stop listening: {}", e.toString());
            }
        }
        open.forEach(s -> s.close(false));
    }

    private void open(RoutingContext ctx, String jobId) {
        HttpServerResponse response = ctx.response();
        if (!guard.allows(ctx.request().getHeader("Authorization"), ctx.request().getParam("token"))) {
            refuse(response.putHeader("WWW-Authenticate", "Bearer"), 401, ApiGuard.REQUIRED);
            return;
        }
        if (jobId != null && !jobId.matches(SharedVolume.JOB_ID)) {
            refuse(response, 404, "no job " + jobId);
            return;
        }
        EventStream stream;
        synchronized (open) {
            if (open.size() >= limits.maxStreams()) {
                refuse(response.putHeader("Retry-After", "5"), 503, "too many event streams open (talkreel.events"
                        + ".max-streams = " + limits.maxStreams() + "); try again later");
                return;
            }
            stream = new EventStream(response, jobId, limits.maxQueuedBytes(), open::remove);
            open.add(stream);
        }
        connections.streaming(ctx.request());
        if (jobId == null) {
            stream.start(begin(response));
            return;
        }
        // the job's state is read from disk, off the event loop; the stream holds the events meanwhile
        vertx.executeBlocking(() -> jobs.find(jobId).map(job -> frame("job", snapshot.apply(job))), false).onComplete(found -> {
            if (found.failed() || found.result().isEmpty()) {
                open.remove(stream);
                refuse(response, found.failed() ? 500 : 404, found.failed() ? "could not read job " + jobId
                        : "no job " + jobId);
                return;
            }
            stream.start(begin(response) + found.result().get());
        });
    }

    /** Sets the stream's headers; returns its first line, a hint for the client's reconnection delay. */
    private static String begin(HttpServerResponse response) {
        response.setChunked(true).setStatusCode(200)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        return "retry: 2000\n\n";
    }

    private void publish(JobEvents.Event event) {
        if (open.isEmpty()) {
            return;
        }
        String frame = frame(event.type(), event.data());
        for (EventStream stream : open) {
            if (stream.wants(event.jobId())) {
                stream.send(frame);
            }
        }
    }

    /** One SSE frame: the event's name and its JSON on one data line (JSON has no raw newlines). */
    static String frame(String type, Object data) {
        try {
            return "event: " + type + "\ndata: " + ONE_LINE.writeValueAsString(data) + "\n\n";
        } catch (JsonProcessingException e) {
            LOG.warn("an event of type {} could not be written as JSON: {}", type, e.getMessage());
            return "";
        }
    }

    private static void refuse(HttpServerResponse response, int status, String message) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(json(Map.of("error", message)));
    }

    private static String json(Object body) {
        try {
            return ONE_LINE.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
