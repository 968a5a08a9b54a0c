package dev.talkreel.callback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable callbacks (routes/callbacks.camel.yaml sends them). When a job with a callback_url ends done or failed, its
 * outcome is written to {@code <shared>/callbacks/<job>.<outcome>.<n>.json} before the job's record says it ended, n
 * counting the job's retries: the same outcome of the same run has one name, and a name already pending, sent or given
 * up is never written again, so neither a restart nor a crash between the two writes sends an outcome twice. The
 * route takes the file, POSTs its body, and moves it to {@code sent/} or, past the deadline, {@code failed/}; a failed
 * attempt leaves it in place until it is due again (doubling pauses). Each attempt is in the job's events; nothing
 * here ever changes a job's outcome.
 */
public final class Callbacks implements JobStore.Observer {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.callbacks");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The secret of the signature, and the deadline and pauses of the attempts (talkreel.callback.*). */
    public record Settings(String secret, long deadlineMs, long initialDelayMs, long maxDelayMs) {
    }

    private final JobStore jobs;
    private final CallbackHosts hosts;
    private final Settings settings;
    private final Path folder;
    private final Clock clock;
    /** Failed attempts in this run, and when each file is due again: in memory, a restart tries at once. */
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final Map<String, Long> due = new ConcurrentHashMap<>();

    public Callbacks(JobStore jobs, CallbackHosts hosts, Settings settings, Clock clock) {
        if (hosts.any() && settings.secret().isBlank()) {
            throw new IllegalArgumentException("talkreel.callback.allowed-hosts names hosts but talkreel.callback.secret"
                    + " is empty: callbacks must be signed; set a secret (or empty the host list)");
        }
        this.jobs = jobs;
        this.hosts = hosts;
        this.settings = settings;
        this.clock = clock;
        this.folder = jobs.volume().root().resolve("callbacks");
    }

    /** Makes the folders of pending, sent and given-up callbacks; at start, once the volume may be written. */
    public void createFolders() throws IOException {
        Files.createDirectories(folder.resolve("sent"));
        Files.createDirectories(folder.resolve("failed"));
    }

    /** Called by the job store, inside the job's lock, when a job ends done or failed. Never throws. */
    @Override
    public void ending(JobRecord job) {
        if (job.input == null || job.input.callbackUrl == null) {
            return;
        }
        long retries = job.events.stream().filter(e -> "retry".equals(e.get("action"))).count();
        String name = job.jobId + "." + job.status + "." + retries + ".json";
        try {
            if (Files.exists(folder.resolve(name)) || Files.exists(folder.resolve("sent").resolve(name))
                    || Files.exists(folder.resolve("failed").resolve(name))) {
                return; // this outcome was recorded before (a step ended twice across a crash): once is enough
            }
            Map<String, Object> kept = new LinkedHashMap<>();
            kept.put("job_id", job.jobId);
            kept.put("url", job.input.callbackUrl);
            kept.put("outcome", String.valueOf(job.status));
            kept.put("created_millis", clock.millis());
            kept.put("payload", JSON.writeValueAsString(body(job)));
            AtomicFiles.writeJson(folder.resolve(name), kept);
        } catch (IOException | RuntimeException e) {
            LOG.error("job {}: its {} callback could not be kept for sending: {}", job.jobId, job.status, e.toString());
        }
    }

    /** What the receiver gets: the job, its outcome, and the result message (done) or the step and error (failed). */
    private Map<String, Object> body(JobRecord job) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_id", job.jobId);
        body.put("status", String.valueOf(job.status));
        body.put("finished", job.finished);
        if (job.status == Status.DONE) {
            Path result = jobs.volume().outbox().resolve(job.jobId + ".json");
            body.put("result", Files.isRegularFile(result) ? JSON.readTree(result.toFile()) : job.result);
        } else {
            body.put("step", job.currentStep);
            body.put("error", job.error);
        }
        return body;
    }

    /** Whether a kept callback may be tried now (the file watcher's filter). */
    public boolean isDue(String fileName) {
        return due.getOrDefault(fileName, 0L) <= clock.millis();
    }

    /** The kept callback, with whether it is past its deadline and whether its host is (still) allowed. */
    public Callback read(String path) {
        Path file = Path.of(path);
        JsonNode kept;
        try {
            kept = JSON.readTree(file.toFile());
        } catch (IOException e) {
            // a damaged file (a hand edit): given up at once, never retried for ever
            String name = file.getFileName().toString();
            return new Callback(file, name.substring(0, Math.max(0, name.indexOf('.'))), "", "", "", 0, true,
                    "cannot be read (" + e.getMessage() + ")");
        }
        String url = kept.path("url").asText();
        long created = kept.path("created_millis").asLong();
        return new Callback(file, kept.path("job_id").asText(), url, kept.path("outcome").asText(),
                kept.path("payload").asText(), created, clock.millis() - created > settings.deadlineMs(),
                hosts.refusal(url).orElse(null));
    }

    /** {@code sha256=<hex HMAC-SHA256 of the body>} with talkreel.callback.secret. */
    public String signature(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(settings.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available: " + e.getMessage(), e);
        }
    }

    /** The receiver answered 2xx. */
    public void delivered(Callback callback, Integer status) {
        String name = callback.file().getFileName().toString();
        int attempt = attempts.getOrDefault(name, 0) + 1;
        attempts.remove(name);
        due.remove(name);
        Map<String, Object> details = details(callback, attempt);
        details.put("result", "sent");
        details.put("http_status", status);
        record(callback, details);
    }

    /** An attempt failed: recorded, and due again after a doubling pause. Never throws. */
    public void attemptFailed(Callback callback, Exception error) {
        String name = callback.file().getFileName().toString();
        int attempt = attempts.merge(name, 1, Integer::sum);
        long pause = Math.min(settings.maxDelayMs(), settings.initialDelayMs() << Math.min(attempt - 1, 20));
        due.put(name, clock.millis() + pause);
        Map<String, Object> details = details(callback, attempt);
        details.put("result", "failed");
        details.put("error_class", error == null ? null : error.getClass().getSimpleName());
        details.put("message", error == null ? null : String.valueOf(error.getMessage()));
        details.put("next_attempt_in_ms", pause);
        record(callback, details);
    }

    /** Past the deadline, or its host no longer allowed: given up, moved to failed/. Never throws. */
    public void gaveUp(Callback callback) {
        String name = callback.file().getFileName().toString();
        Map<String, Object> details = details(callback, attempts.getOrDefault(name, 0));
        attempts.remove(name);
        due.remove(name);
        details.put("result", "given up");
        details.put("message", callback.refusal() != null ? "the callback " + callback.refusal()
                : "not delivered within talkreel.callback.deadline-ms (" + settings.deadlineMs() + " ms)");
        record(callback, details);
    }

    private static Map<String, Object> details(Callback callback, int attempt) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("outcome", callback.outcome());
        details.put("delivery", callback.deliveryId());
        details.put("attempt", attempt);
        return details;
    }

    private void record(Callback callback, Map<String, Object> details) {
        try {
            jobs.event(callback.jobId(), "callback", details);
        } catch (RuntimeException e) {
            LOG.warn("job {}: callback {}: {}", callback.jobId(), details, e.toString());
        }
        LOG.info("job {}: callback {}", callback.jobId(), details);
    }
}
