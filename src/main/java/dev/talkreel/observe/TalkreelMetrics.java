package dev.talkreel.observe;

import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.Status;
import dev.talkreel.job.StepRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * talkreel's own meters, served with Camel's at GET /observe/metrics (camel-micrometer-prometheus). Fed from the places
 * where things happen, never from an exchange: the job store tells of every record written and every step that ended
 * ({@link JobStore.Observer}), the GPU gate of each wait, the retry policy of each retry, the callback sender of each
 * delivery. Prometheus names: talkreel_jobs{status}, talkreel_step_duration_seconds{step,service,outcome} (histogram),
 * talkreel_gpu_queue, talkreel_gpu_wait_seconds (histogram), talkreel_step_retries_total{step,error_class},
 * talkreel_callbacks_sent_total, talkreel_callbacks_failed_total.
 */
public final class TalkreelMetrics implements JobStore.Observer {
    /** Histogram buckets of a step: seconds (emulators, a quick yttools cut) to the 2 h of an InfiniteTalk render. */
    private static final Duration[] STEP_BUCKETS = seconds(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200);
    /** Histogram buckets of a GPU wait: none, one short step ahead, up to a queue of long renders. */
    private static final Duration[] GPU_WAIT_BUCKETS = seconds(0.01, 1, 10, 60, 300, 1800, 3600, 7200);
    private final MeterRegistry registry;
    /** The service a step calls (its settings' name), for the step duration's tag. */
    private final Function<String, String> serviceOf;
    /** Each job's last known status; the jobs gauge counts them. */
    private final Map<String, Status> jobs = new ConcurrentHashMap<>();
    private final Map<Status, Integer> byStatus = new ConcurrentHashMap<>();
    private final Timer gpuWait;
    private final Counter callbacksSent;
    private final Counter callbacksFailed;

    public TalkreelMetrics(MeterRegistry registry, Function<String, String> serviceOf) {
        this.registry = registry;
        this.serviceOf = serviceOf;
        for (Status s : new Status[] {Status.QUEUED, Status.RUNNING, Status.DONE, Status.FAILED, Status.CANCELLED}) {
            byStatus.put(s, 0);
            Gauge.builder("talkreel.jobs", () -> byStatus.getOrDefault(s, 0))
                    .description("Jobs by status: the jobs this process created, changed or found unfinished at start")
                    .tag("status", s.json()).register(registry);
        }
        gpuWait = Timer.builder("talkreel.gpu.wait").description("Time a GPU step waited for a GPU slot")
                .serviceLevelObjectives(GPU_WAIT_BUCKETS).register(registry);
        callbacksSent = Counter.builder("talkreel.callbacks.sent").description("Result callbacks delivered")
                .register(registry);
        callbacksFailed = Counter.builder("talkreel.callbacks.failed")
                .description("Result callbacks that failed (each failed attempt)").register(registry);
    }

    /** The GPU gate's queue: steps waiting for a slot now. */
    public void watchGpuQueue(IntSupplier waiting) {
        Gauge.builder("talkreel.gpu.queue", waiting::getAsInt).description("GPU steps waiting for a GPU slot")
                .register(registry);
    }

    /** A GPU step got its slot after waiting this long (zero when one was free). */
    public void gpuWaited(Duration waited) {
        gpuWait.record(waited);
    }

    /** A failing call of {@code step} is tried again after an error of this class. */
    public void retried(String step, String errorClass) {
        registry.counter("talkreel.step.retries", "step", step, "error_class", errorClass).increment();
    }

    public void callbackSent() {
        callbacksSent.increment();
    }

    public void callbackFailed() {
        callbacksFailed.increment();
    }

    @Override
    public void recorded(JobRecord job) {
        if (job.jobId == null || job.status == null) {
            return;
        }
        Status before = jobs.put(job.jobId, job.status);
        if (before != job.status) {
            byStatus.merge(job.status, 1, Integer::sum);
            if (before != null) {
                byStatus.merge(before, -1, Integer::sum);
            }
        }
    }

    @Override
    public void stepEnded(String jobId, String step, StepRecord s) {
        Duration took = s.elapsedMs != null ? Duration.ofMillis(s.elapsedMs) : between(s.started, s.ended);
        if (took == null) {
            return;
        }
        Timer.builder("talkreel.step.duration").description("How long a step took, from its start to its end")
                .tag("step", step).tag("service", serviceOf.apply(step)).tag("outcome", s.state.json())
                .serviceLevelObjectives(STEP_BUCKETS).register(registry).record(took);
    }

    private static Duration[] seconds(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofMillis((long) (values[i] * 1000));
        }
        return out;
    }

    private static Duration between(String started, String ended) {
        if (started == null || ended == null) {
            return null;
        }
        try {
            return Duration.between(Instant.parse(started), Instant.parse(ended));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
