package dev.talkreel.api;

import dev.talkreel.job.FieldError;
import dev.talkreel.job.IdempotencyKeys;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.JobValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two doors into talkreel, with one validation behind them. A job file from the inbox is kept either way: moved
 * to inbox/.done/ when accepted, or to inbox/.failed/ beside &lt;name&gt;.error.json that says which field is wrong
 * and why. An HTTP body gets 202 with the job id at once, or 400 with the same field errors.
 */
public final class Intake {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.intake");

    private final JobValidator validator;
    private final JobStore jobs;
    private final InboxFiles files;

    public Intake(JobValidator validator, JobStore jobs, InboxFiles files) {
        this.validator = validator;
        this.jobs = jobs;
        this.files = files;
    }

    /**
     * A file read from the inbox: accept it as a job, or explain beside it why not. The file is read here, by its
     * path, with {@link InboxFiles#read} (no link followed, size cap, deadline); Camel never opens it. Nothing of
     * its content is logged: the reasons go to the error file beside it.
     *
     * @return where the inbox route moves the file (relative to the inbox): .done/&lt;name&gt; or .failed/&lt;name&gt;
     */
    public String fromInboxFile(Exchange exchange) throws IOException, InterruptedException {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        long size = exchange.getIn().getHeader(Exchange.FILE_LENGTH, 0L, Long.class);
        String kept = files.keptName(name);
        JobValidator.Result result;
        byte[] body = null;
        if (size > validator.limits().maxBodyBytes()) {
            result = new JobValidator.Result(null, List.of(new FieldError("file", "is " + size
                    + " bytes, over the limit of " + validator.limits().maxBodyBytes())));
        } else {
            try {
                body = files.read(Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class)),
                        validator.limits().maxBodyBytes() + 1);
                result = validator.validate(body);
            } catch (InboxFiles.Unreadable e) {
                result = new JobValidator.Result(null, List.of(new FieldError("file", e.getMessage())));
            }
        }
        if (!result.ok()) {
            files.writeRejection(name, kept, "invalid job", result.errors());
            // field names and messages can quote the file (a bad JSON token, an unknown field): they stay in the file
            LOG.warn("inbox file {} rejected ({} problem(s)): see inbox/.failed/{}.error.json", name,
                    result.errors().size(), kept);
            return ".failed/" + kept;
        }
        JobStore.Created created = jobs.create(result.job(), "inbox:" + name, "file:" + JobStore.sha256(body));
        if (created.existing()) {
            LOG.info("inbox file {} is the same as job {}: no new job", name, created.job().jobId);
        } else {
            LOG.info("inbox file {} accepted as job {}", name, created.job().jobId);
        }
        return ".done/" + kept;
    }

    /** POST /api/jobs: 202 and the job id at once (never held open for the job), or 400 with the field errors. */
    public void fromHttp(Exchange exchange) throws IOException {
        String contentType = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, "", String.class);
        if (!contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            JobApi.reply(exchange, 415, Map.of("error", "invalid job", "errors", List.of(new FieldError("Content-Type",
                    "must be application/json, got '" + contentType + "'"))));
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getIn().getBody(InputStream.class)) {
            body = in == null ? new byte[0] : in.readNBytes(validator.limits().maxBodyBytes() + 1);
        }
        JobValidator.Result result = validator.validate(body);
        if (!result.ok()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", "invalid job");
            error.put("errors", result.errors());
            JobApi.reply(exchange, 400, error);
            return;
        }
        String key = exchange.getIn().getHeader("Idempotency-Key", String.class);
        if (key != null && (key.length() > 200 || key.isBlank())) {
            JobApi.reply(exchange, 400, Map.of("error", "invalid job", "errors",
                    List.of(new FieldError("Idempotency-Key", "must be 1 to 200 characters"))));
            return;
        }
        JobStore.Created created;
        try {
            created = jobs.create(result.job(), "http", key == null ? null : "http:" + key);
        } catch (IdempotencyKeys.Conflict conflict) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", "idempotency key conflict");
            error.put("message", conflict.getMessage());
            error.put("job_id", conflict.jobId());
            JobApi.reply(exchange, 422, error);
            LOG.info("HTTP job refused: its Idempotency-Key was used for job {} with another request", conflict.jobId());
            return;
        }
        String id = created.job().jobId;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("job_id", id);
        answer.put("status_url", "/api/jobs/" + id);
        answer.put("status", created.job().status);
        if (created.existing()) {
            answer.put("existing", true);
        }
        exchange.getIn().setHeader("Location", "/api/jobs/" + id);
        JobApi.reply(exchange, created.existing() ? 200 : 202, answer);
        LOG.info("HTTP job {} {}", id, created.existing() ? "already exists (same Idempotency-Key)" : "accepted");
    }
}
