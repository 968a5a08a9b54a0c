package dev.talkreel.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.SharedVolume;
import dev.talkreel.job.FieldError;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.Status;
import dev.talkreel.job.StepDurations;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/** The job API besides submission: status and list (what the job record says), retry and cancel. */
public final class JobApi {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 200;
    private final JobStore jobs;
    private final StepDurations durations;

    public JobApi(JobStore jobs, StepDurations durations) {
        this.jobs = jobs;
        this.durations = durations;
    }

    /**
     * One job: status, current step, and per step its state, attempt, times, error, and the result when done; with
     * {@code estimated_seconds_to_done} from the measured step durations (null when nothing is known).
     */
    public void status(@Header("id") String id, Exchange exchange) {
        jobs.find(id).ifPresentOrElse(job -> reply(exchange, 200, statusView(job)),
                () -> reply(exchange, 404, Map.of("error", "no job " + id)));
    }

    /** The status answer of a job (also the first event of its live stream). */
    public ObjectNode statusView(JobRecord job) {
        ObjectNode tree = view(job);
        Long seconds = durations.secondsToDone(job, Instant.now());
        if (seconds == null) {
            tree.putNull("estimated_seconds_to_done");
        } else {
            tree.put("estimated_seconds_to_done", seconds);
        }
        return tree;
    }

    /**
     * The most recent jobs, newest first, in short. {@code ?limit=N}: 1 to 200 (default 20; more than 200 gives
     * 200); anything else is a 400 that says so. {@code ?before=<job_id>}: the page after the one that ended there
     * (job ids sort by creation time).
     */
    public void list(@Header("limit") String limit, @Header("before") String before, Exchange exchange)
            throws IOException {
        Integer n = parseLimit(limit);
        if (n == null) {
            invalid(exchange, "limit", "must be a whole number from 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT + ")");
            return;
        }
        if (before != null && !before.isBlank() && !before.matches(SharedVolume.JOB_ID)) {
            invalid(exchange, "before", "must be a job id, as the last job_id of the page before");
            return;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (JobRecord job : jobs.recent(n, before == null || before.isBlank() ? null : before)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("job_id", job.jobId);
            row.put("status", job.status);
            row.put("current_step", job.currentStep);
            row.put("created", job.created);
            row.put("updated", job.updated);
            row.put("status_url", "/api/jobs/" + job.jobId);
            if (job.error != null) {
                row.put("error", job.error.message);
            }
            out.add(row);
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("jobs", out);
        if (out.size() == n) {
            page.put("next", "/api/jobs?limit=" + n + "&before=" + out.get(n - 1).get("job_id"));
        }
        reply(exchange, 200, page);
    }

    /** 400 naming the query parameter that is wrong, in the shape of the job's field errors. */
    private static void invalid(Exchange exchange, String parameter, String message) {
        reply(exchange, 400, Map.of("error", "invalid request", "errors", List.of(new FieldError(parameter, message))));
    }

    /** The limit asked for, 200 at most; null when it is not a whole number of at least 1. */
    static Integer parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        String s = limit.trim();
        if (!s.matches("[0-9]+")) {
            return null;
        }
        int n = s.length() > 9 ? MAX_LIMIT : Integer.parseInt(s);
        return n < 1 ? null : Math.min(n, MAX_LIMIT);
    }

    /**
     * What the API shows of a job record: everything but the idempotency key, which is the client's secret to
     * re-send and is never echoed back.
     */
    static ObjectNode view(JobRecord job) {
        ObjectNode tree = AtomicFiles.JSON.valueToTree(job);
        tree.remove("idempotency_key");
        return tree;
    }

    /** DELETE /api/jobs/{id}: cancels the job (200; 404 for no such job, 409 when it is finished). */
    public void cancel(@Header("id") String id, Exchange exchange) throws IOException {
        act(id, exchange, jobs::cancel, 200);
    }

    /** The prompt ComfyUI may still be rendering for the job's portrait (its task id), or null. */
    public String portraitInFlight(String id) {
        if (id == null || !id.matches(SharedVolume.JOB_ID)) {
            return null;
        }
        return jobs.find(id).map(job -> job.steps.get("portrait"))
                .filter(portrait -> portrait.taskId != null && portrait.state != Status.DONE)
                .map(portrait -> portrait.taskId).orElse(null);
    }

    /** POST /api/jobs/{id}/retry: resumes a failed or cancelled job from the step where it stopped. */
    public void retry(@Header("id") String id, Exchange exchange) throws IOException {
        act(id, exchange, jobs::retry, 202);
    }

    /** Runs an operator action and answers: 404 for no such job, 409 when refused; returns the job when done. */
    private JobRecord act(String id, Exchange exchange, Action action, int okStatus) throws IOException {
        if (jobs.find(id).isEmpty()) {
            reply(exchange, 404, Map.of("error", "no job " + id));
            return null;
        }
        JobStore.Action done = action.apply(id);
        if (done.refusal() != null) {
            reply(exchange, 409, Map.of("error", done.refusal()));
            return null;
        }
        reply(exchange, okStatus, view(done.job()));
        return done.job();
    }

    /** A JobStore action on one job. */
    @FunctionalInterface
    private interface Action {
        JobStore.Action apply(String jobId) throws IOException;
    }

    /** Sets a JSON reply with its status code. */
    static void reply(Exchange exchange, int status, Object body) {
        // the request's headers (form fields included) must not echo back as response headers
        String location = exchange.getMessage().getHeader("Location", String.class);
        exchange.getMessage().removeHeaders("*");
        if (location != null && status < 300) {
            exchange.getMessage().setHeader("Location", location);
        }
        try {
            exchange.getMessage().setBody(AtomicFiles.JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
    }
}
