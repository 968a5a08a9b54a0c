package dev.talkreel.gpu;

import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.Props;
import dev.talkreel.pipeline.StepTimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;

/**
 * One GPU is one GPU: voice, portrait and video take a slot here before calling their service and give it back when
 * the service is done with the GPU, whatever happened. Fair, so jobs get the GPU in the order they asked; the wait is
 * bounded. A plain semaphore rather than Camel's throttle: a slot is held for minutes (CAMEL-24926).
 */
public final class GpuGate {
    private static final String HOLDS_SLOT = "talkreelGpuSlot";
    private final Semaphore slots;
    private final long maxWaitMs;
    private final JobStore jobs;

    public GpuGate(int capacity, long maxWaitMs, JobStore jobs) {
        this.slots = new Semaphore(capacity, true);
        this.maxWaitMs = maxWaitMs;
        this.jobs = jobs;
    }

    public void acquire(Exchange exchange) throws InterruptedException {
        if (Boolean.TRUE.equals(exchange.getProperty(HOLDS_SLOT))) {
            return;
        }
        String jobId = exchange.getProperty(Props.JOB_ID, String.class);
        String step = exchange.getProperty(Props.STEP, String.class);
        if (!slots.tryAcquire()) {
            jobs.stepWaiting(jobId, step);
            if (!slots.tryAcquire(maxWaitMs, TimeUnit.MILLISECONDS)) {
                throw new StepTimeoutException("no GPU slot became free within " + maxWaitMs / 1000
                        + " s (talkreel.gpu.max-wait-ms); other jobs held the GPU");
            }
        }
        exchange.setProperty(HOLDS_SLOT, true);
    }

    public void release(Exchange exchange) {
        if (Boolean.TRUE.equals(exchange.getProperty(HOLDS_SLOT))) {
            exchange.removeProperty(HOLDS_SLOT);
            slots.release();
        }
    }
}
