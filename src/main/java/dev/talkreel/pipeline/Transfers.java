package dev.talkreel.pipeline;

import dev.talkreel.files.BoundedStream;
import dev.talkreel.job.JobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.hc.core5.http.io.EofSensorInputStream;

/**
 * Every service reply is read through here, right after its HTTP call (which runs with {@code disableStreamCache=true}
 * in a route with {@code streamCache: "false"}, so the body is still the open response stream). Each reply gets the
 * limits of its service (talkreel.&lt;service&gt;.max-reply-bytes or .max-download-bytes, .transfer-deadline-ms,
 * .min-bytes-per-second over .min-rate-grace-ms) and stops when its job is cancelled; see {@link BoundedStream}.
 * The calls run with {@code throwExceptionOnFailure=false}: camel-http would read a whole error body into memory, so
 * the status is judged here, and an error answer becomes the same HttpOperationFailedException with at most
 * {@value #ERROR_BODY_BYTES} bytes of its body. The stream is closed when the exchange completes, whatever happened.
 */
public final class Transfers {
    static final int ERROR_BODY_BYTES = 64 * 1024;
    private final Pipeline pipeline;
    private final PerService<Limits> limits;
    private final JobStore jobs;

    /** One service's settings. {@code maxDownloadBytes} is for artifacts fetched over HTTP (audio, portrait). */
    public record Limits(long maxReplyBytes, long maxDownloadBytes, long deadlineMs, long minBytesPerSecond,
                         long graceMs) {
    }

    public Transfers(Pipeline pipeline, PerService<Limits> limits, JobStore jobs) {
        this.pipeline = pipeline;
        this.limits = limits;
        this.jobs = jobs;
    }

    /** A JSON reply, read whole (it is small, and capped) into the body as text. An error status throws. */
    public void reply(Exchange exchange) throws Exception {
        String text = read(exchange);
        failOnError(exchange, text);
        exchange.getIn().setBody(text);
    }

    /** As {@link #reply}, for calls whose error answers mean something (yttools' 404 for an unknown task). */
    public void replyAnyStatus(Exchange exchange) throws Exception {
        String text = read(exchange);
        if (isRedirect(status(exchange))) {
            failOnError(exchange, text);
        }
        exchange.getIn().setBody(text);
    }

    /** A reply parsed as it streams (VibeVoice's base64 audio): the body becomes the bounded stream. */
    public void stream(Exchange exchange) throws Exception {
        failOnError(exchange, null);
        StepDefinition step = step(exchange);
        exchange.getIn().setBody(bound(exchange, step, false));
    }

    /**
     * An artifact fetched over HTTP (audio, portrait): the body becomes the bounded stream the file endpoint writes,
     * under the temporary name {@code .<artifact>.part} in the job folder (as the routes name it). A download that
     * stopped half way leaves that file behind; it is deleted when the exchange ends (a success has renamed it).
     */
    public void download(Exchange exchange) throws Exception {
        failOnError(exchange, null);
        StepDefinition step = step(exchange);
        exchange.getIn().setBody(bound(exchange, step, true));
        Path part = jobs.volume().jobDir(StepTracker.jobId(exchange)).resolve("." + step.artifact() + ".part");
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException | RuntimeException ignored) {
                    // a later try overwrites it anyway
                }
            }
        });
    }

    /** A reply nobody reads (ComfyUI's answer to /queue or /interrupt): dropped without reading it. */
    public void discard(Exchange exchange) throws IOException {
        InputStream in = exchange.getIn().getBody() instanceof InputStream s ? s : null;
        exchange.getIn().setBody(null);
        if (in != null) {
            abort(in).abort();
        }
    }

    private String read(Exchange exchange) throws IOException {
        try (BoundedStream in = bound(exchange, step(exchange), false)) {
            if (in == null) {
                return "";
            }
            int code = status(exchange);
            byte[] bytes = code >= 300 ? in.readNBytes(ERROR_BODY_BYTES) : in.readAllBytes();
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Without {@code text}, an error answer's body is read here (at most ERROR_BODY_BYTES). */
    private void failOnError(Exchange exchange, String text) throws IOException, HttpOperationFailedException {
        int code = status(exchange);
        if (code >= 200 && code < 300) {
            return;
        }
        // an error status: read() keeps at most ERROR_BODY_BYTES of the body
        String body = text != null ? text : read(exchange);
        String location = exchange.getIn().getHeader("Location", String.class);
        // the spent stream must not stay the body: the failure path would try to cache it, and fail on its own
        exchange.getIn().setBody(body);
        throw new HttpOperationFailedException(uri(exchange), code,
                exchange.getIn().getHeader(Exchange.HTTP_RESPONSE_TEXT, String.class),
                isRedirect(code) ? location : null, Map.of(), body);
    }

    /** Wraps the response stream in the body with the step's limits; closed (or aborted) when the exchange ends. */
    private BoundedStream bound(Exchange exchange, StepDefinition step, boolean download) {
        Object body = exchange.getIn().getBody();
        if (body instanceof BoundedStream b) {
            return b;
        }
        if (!(body instanceof InputStream in)) {
            if (body == null) {
                return null;
            }
            throw new IllegalStateException("the " + step.serviceName() + " call kept its reply in memory: its route needs "
                    + "streamCache \"false\" and the endpoint disableStreamCache=true");
        }
        Limits l = limits.get(step.service());
        String key = "talkreel." + step.service() + ".";
        String service = step.serviceName();
        String owner = service + (service.endsWith("s") ? "'" : "'s");
        String jobId = StepTracker.jobId(exchange);
        BoundedStream bounded = new BoundedStream(in, new BoundedStream.Limits(
                download ? owner + " download of " + step.artifact() : owner + " reply",
                download ? l.maxDownloadBytes() : l.maxReplyBytes(),
                key + (download ? "max-download-bytes" : "max-reply-bytes"), l.deadlineMs(),
                key + "transfer-deadline-ms", l.minBytesPerSecond(), l.graceMs(), key + "min-bytes-per-second"),
                () -> cancelled(jobId), abort(in));
        exchange.getIn().setBody(bounded);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                try {
                    bounded.close();
                } catch (IOException | RuntimeException ignored) {
                    // the connection is dropped either way
                }
            }
        });
        return bounded;
    }

    /** The HTTP client's abort drops the connection at once; its close() would first read the rest of the body. */
    private static BoundedStream.Abort abort(InputStream in) {
        return in instanceof EofSensorInputStream sensor ? sensor::abort : in::close;
    }

    private boolean cancelled(String jobId) {
        try {
            return jobId != null && jobs.isCancelled(jobId);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private StepDefinition step(Exchange exchange) {
        StepDefinition step = pipeline.stepOf(exchange);
        if (step == null) {
            throw new IllegalStateException("a service reply outside any step");
        }
        return step;
    }

    private static int status(Exchange exchange) {
        return exchange.getIn().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
    }

    private static boolean isRedirect(int code) {
        return code >= 300 && code < 400;
    }

    /** The URL called, for messages: the endpoint without its options, and the path set for this call. */
    private static String uri(Exchange exchange) {
        String endpoint = exchange.getProperty(Exchange.TO_ENDPOINT, "", String.class);
        int q = endpoint.indexOf('?');
        String base = q < 0 ? endpoint : endpoint.substring(0, q);
        String path = exchange.getIn().getHeader(Exchange.HTTP_PATH, String.class);
        if (path != null && !path.isEmpty() && !base.endsWith(path)) {
            base = base.replaceAll("/+$", "") + (path.startsWith("/") ? path : "/" + path);
        }
        return base;
    }
}
