package dev.talkreel.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/** The job API besides submission: status and list (what the job record says), retry and cancel. */
public final class JobApi {
    private final JobStore jobs;

    public JobApi(JobStore jobs) {
        this.jobs = jobs;
    }

    /** One job: status, current step, and per step its state, attempt, times, error, and the result when done. */
    public void status(@Header("id") String id, Exchange exchange) {
        jobs.find(id).ifPresentOrElse(job -> reply(exchange, 200, job),
                () -> reply(exchange, 404, Map.of("error", "no job " + id)));
    }

    /** The most recent jobs, newest first, in short. */
    public void list(@Header("limit") Integer limit, @Header("before") String before, Exchange exchange) throws IOException {
        int n = limit == null ? 20 : Math.max(1, Math.min(limit, 200));
        List<Map<String, Object>> out = new ArrayList<>();
        // paging: ?before=<the last job_id of the previous page> (job ids sort by creation time)
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

    /**
     * DELETE /api/jobs/{id}: cancels the job. A portrait ComfyUI is rendering for it is named in exchangeProperty
     * taskId, so the route can have ComfyUI drop it.
     */
    public void cancel(@Header("id") String id, Exchange exchange) throws IOException {
        JobRecord job = act(id, exchange, jobs::cancel, 200);
        var portrait = job == null ? null : job.step("portrait");
        if (portrait != null && portrait.taskId != null && !"done".equals(portrait.state)) {
            exchange.setProperty(dev.talkreel.pipeline.Props.JOB_ID, id);
            exchange.setProperty(dev.talkreel.pipeline.Props.TASK_ID, portrait.taskId);
        }
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
        reply(exchange, okStatus, done.job());
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
