package dev.talkreel.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.talkreel.job.JobRecord;
import dev.talkreel.job.Status;
import dev.talkreel.job.StepRecord;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters follow the job store's transitions: a job counts once, under its latest status. */
class TalkreelMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TalkreelMetrics metrics = new TalkreelMetrics(registry, step -> "svc-" + step);

    @Test
    void aJobCountsOnceUnderItsLatestStatus() {
        metrics.recorded(job("a", Status.QUEUED));
        metrics.recorded(job("b", Status.QUEUED));
        metrics.recorded(job("a", Status.RUNNING));
        metrics.recorded(job("a", Status.RUNNING));
        metrics.recorded(job("a", Status.DONE));
        metrics.recorded(job("b", Status.FAILED));
        metrics.recorded(job("b", Status.QUEUED));

        assertEquals(1, jobs("done"));
        assertEquals(1, jobs("queued"));
        assertEquals(0, jobs("running"));
        assertEquals(0, jobs("failed"));
    }

    @Test
    void stepDurationsAreTaggedByStepServiceAndOutcome() {
        StepRecord done = new StepRecord();
        done.state = Status.DONE;
        done.elapsedMs = 1500L;
        metrics.stepEnded("j", "voice", done);
        StepRecord failed = new StepRecord();
        failed.state = Status.FAILED;
        failed.started = "2026-11-25T10:00:00Z";
        failed.ended = "2026-11-25T10:00:03Z";
        metrics.stepEnded("j", "voice", failed);

        Timer doneTimer = registry.get("talkreel.step.duration").tags("step", "voice", "service", "svc-voice",
                "outcome", "done").timer();
        assertEquals(1, doneTimer.count());
        assertEquals(1.5, doneTimer.totalTime(TimeUnit.SECONDS), 1e-9);
        assertEquals(3.0, registry.get("talkreel.step.duration").tags("outcome", "failed").timer()
                .totalTime(TimeUnit.SECONDS), 1e-9);
    }

    @Test
    void retriesGpuWaitsAndCallbacksAreCounted() {
        metrics.retried("audio", "HttpOperationFailedException");
        metrics.retried("audio", "HttpOperationFailedException");
        metrics.retried("audio", "SocketTimeoutException");
        metrics.gpuWaited(Duration.ofSeconds(2));
        int[] waiting = {3};
        metrics.watchGpuQueue(() -> waiting[0]);
        metrics.callbackSent();
        metrics.callbackFailed();
        metrics.callbackFailed();

        assertEquals(2, registry.get("talkreel.step.retries").tags("step", "audio", "error_class",
                "HttpOperationFailedException").counter().count());
        assertEquals(1, registry.get("talkreel.step.retries").tags("error_class", "SocketTimeoutException").counter()
                .count());
        assertEquals(1, registry.get("talkreel.gpu.wait").timer().count());
        assertEquals(3, registry.get("talkreel.gpu.queue").gauge().value());
        waiting[0] = 0;
        assertEquals(0, registry.get("talkreel.gpu.queue").gauge().value());
        assertEquals(1, registry.get("talkreel.callbacks.sent").counter().count());
        assertEquals(2, registry.get("talkreel.callbacks.failed").counter().count());
    }

    private double jobs(String status) {
        return registry.get("talkreel.jobs").tag("status", status).gauge().value();
    }

    private static JobRecord job(String id, Status status) {
        JobRecord job = new JobRecord();
        job.jobId = id;
        job.status = status;
        return job;
    }
}
