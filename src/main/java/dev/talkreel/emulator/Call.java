package dev.talkreel.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** One request to an emulated endpoint, as its handler sees it. */
public final class Call {
    private final RoutingContext ctx;
    private final Fault fault;
    private volatile long startedNanos = System.nanoTime();

    Call(RoutingContext ctx, Fault fault) {
        this.ctx = ctx;
        this.fault = fault;
    }

    /** When its handler took it (System.nanoTime), later by the model loads it waited for: a latency counts from here. */
    public long startedNanos() {
        return startedNanos;
    }

    /** The call waited {@code nanos} for something its latency does not include (a model load). */
    void postpone(long nanos) {
        startedNanos += nanos;
    }

    /** The service-specific fault planned for this call (TASK_FAILED, EXECUTION_ERROR, OOM), or null. */
    public Fault fault() {
        return fault;
    }

    public String pathParam(String name) {
        return ctx.pathParam(name);
    }

    /** A query parameter, or null when absent. */
    public String query(String name) {
        return ctx.request().getParam(name);
    }

    public String header(String name) {
        return ctx.request().getHeader(name);
    }

    public String contentType() {
        String ct = ctx.request().getHeader("Content-Type");
        return ct == null ? "" : ct.toLowerCase(Locale.ROOT);
    }

    public byte[] body() {
        return ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    }

    /** The body as JSON; throws IOException when it is not JSON. */
    public JsonNode json() throws IOException {
        return Json.parse(body());
    }

    /** A multipart form field, or null. */
    public String formField(String name) {
        return ctx.request().getFormAttribute(name);
    }

    /** The uploaded file of a multipart part, or null. */
    public Path upload(String name) {
        List<FileUpload> uploads = ctx.fileUploads();
        for (FileUpload u : uploads) {
            if (u.name().equals(name)) {
                return Path.of(u.uploadedFileName());
            }
        }
        return null;
    }

    public String remoteAddress() {
        return String.valueOf(ctx.request().remoteAddress());
    }
}
