package dev.talkreel.job;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to jobs, as it happens, for whoever listens in this process (the SSE streams, the time estimate).
 * Fed by {@link JobStore} at its one write of a record: the record before and after a change are compared, and each
 * difference becomes an event (a step started, done, failed, its attempt; the job's status; an operator action; the
 * result). Progress facts a running step notes come in through {@link #progress}. Listeners are called on the
 * writer's thread, after the record is on disk, and must not block: the SSE writer only queues bytes.
 */
public final class JobEvents {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.events");

    /** One event: its kind (status, step, progress, action, result) and its JSON fields, job_id first. */
    public record Event(String type, String jobId, Map<String, Object> data) {
    }

    /** The parts of a record whose changes are events, taken before a change. */
    public record Before(Status status, Map<String, StepState> steps, int actions) {
        static final Before NONE = new Before(null, Map.of(), 0);

        static Before of(JobRecord job) {
            Map<String, StepState> steps = new LinkedHashMap<>();
            job.steps.forEach((name, s) -> steps.put(name, new StepState(s.state, s.attempt)));
            return new Before(job.status, steps, job.events.size());
        }
    }

    /** A step's state and attempt. */
    public record StepState(Status state, int attempt) {
    }

    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener; the returned handle removes it. */
    public AutoCloseable listen(Consumer<Event> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Every difference between the record before a change and after it, as events, steps first, the status last. */
    void changed(Before before, JobRecord after) {
        after.steps.forEach((name, s) -> {
            StepState was = before.steps().get(name);
            boolean changed = was == null ? s.state != Status.PENDING : was.state() != s.state || was.attempt() != s.attempt;
            if (changed) {
                Map<String, Object> data = fields(after.jobId);
                data.put("step", name);
                data.put("state", s.state);
                data.put("attempt", s.attempt);
                if (s.elapsedMs != null && s.state == Status.DONE) {
                    data.put("elapsed_ms", s.elapsedMs);
                }
                if (s.error != null) {
                    data.put("error_class", s.error.errorClass);
                    data.put("error", s.error.message);
                }
                publish(new Event("step", after.jobId, data));
            }
        });
        for (int i = before.actions(); i < after.events.size(); i++) {
            Map<String, Object> data = fields(after.jobId);
            data.putAll(after.events.get(i));
            publish(new Event("action", after.jobId, data));
        }
        if (before.status() != after.status) {
            Map<String, Object> data = fields(after.jobId);
            data.put("status", after.status);
            data.put("current_step", after.currentStep);
            if (after.error != null) {
                data.put("error_class", after.error.errorClass);
                data.put("error", after.error.message);
            }
            publish(new Event("status", after.jobId, data));
            if (after.status == Status.DONE && after.result != null) {
                Map<String, Object> result = fields(after.jobId);
                result.put("result", after.result);
                publish(new Event("result", after.jobId, result));
            }
        }
    }

    /** Facts a running step has just learnt (yttools' progress, a media probe), before its record has them. */
    public void progress(String jobId, String step, Map<String, Object> facts) {
        if (jobId == null || facts == null || facts.isEmpty()) {
            return;
        }
        Map<String, Object> data = fields(jobId);
        data.put("step", step);
        data.put("facts", facts);
        publish(new Event("progress", jobId, data));
    }

    private static Map<String, Object> fields(String jobId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("job_id", jobId);
        data.put("at", Instant.now().toString());
        return data;
    }

    private void publish(Event event) {
        for (Consumer<Event> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                // a listener's trouble is its own: the job's transition is already on disk
                LOG.warn("an event listener failed on {} of job {}: {}", event.type(), event.jobId(), e.toString());
            }
        }
    }
}
