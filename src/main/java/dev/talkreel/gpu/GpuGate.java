package dev.talkreel.gpu;

import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.Props;
import dev.talkreel.pipeline.StepTimeoutException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * One GPU is one GPU: voice, portrait and video take a slot here before calling their service and give it back when
 * the service is done with the GPU, whatever happened. Fair, so jobs get the GPU in the order they asked; the wait is
 * bounded. A plain semaphore rather than Camel's throttle: a slot is held for minutes (CAMEL-24926).
 *
 * <p>Given back twice over, at most once in effect: by the route's doFinally as soon as the step ends, and by an
 * on-completion registered on the exchange when the slot is taken, which runs however the exchange ends (an Error
 * such as OutOfMemoryError included), in case a path ever skips the doFinally.
 */
public final class GpuGate {
    private static final String HOLDS_SLOT = "talkreelGpuSlot";
    private final Semaphore slots;
    private final int capacity;
    private final long maxWaitMs;
    private final JobStore jobs;

    /** Told how long each slot taken was waited for (metrics). */
    private final Consumer<Duration> waited;

    public GpuGate(int capacity, long maxWaitMs, JobStore jobs) {
        this(capacity, maxWaitMs, jobs, w -> { });
    }

    public GpuGate(int capacity, long maxWaitMs, JobStore jobs, Consumer<Duration> waited) {
        this.slots = new Semaphore(capacity, true);
        this.capacity = capacity;
        this.maxWaitMs = maxWaitMs;
        this.jobs = jobs;
        this.waited = waited;
    }

    public void acquire(Exchange exchange) throws InterruptedException {
        if (exchange.getProperty(HOLDS_SLOT) != null) {
            return;
        }
        String jobId = exchange.getProperty(Props.JOB_ID, String.class);
        String step = exchange.getProperty(Props.STEP, String.class);
        long asked = System.nanoTime();
        if (!slots.tryAcquire()) {
            jobs.stepWaiting(jobId, step);
            if (!slots.tryAcquire(maxWaitMs, TimeUnit.MILLISECONDS)) {
                throw new StepTimeoutException("no GPU slot became free within " + maxWaitMs / 1000
                        + " s (talkreel.gpu.max-wait-ms); other jobs held the GPU");
            }
        }
        waited.accept(Duration.ofNanos(System.nanoTime() - asked));
        Slot slot = new Slot();
        exchange.setProperty(HOLDS_SLOT, slot);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                slot.giveBack();
            }
        });
    }

    public void release(Exchange exchange) {
        if (exchange.removeProperty(HOLDS_SLOT) instanceof Slot slot) {
            slot.giveBack();
        }
    }

    /** Slots free right now (for tests and diagnostics). */
    public int freeSlots() {
        return slots.availablePermits();
    }

    /** Steps waiting for a slot right now. */
    public int queueLength() {
        return slots.getQueueLength();
    }

    public int capacity() {
        return capacity;
    }

    /** One taken slot; giving it back more than once gives it back once. */
    private final class Slot {
        private final AtomicBoolean held = new AtomicBoolean(true);

        void giveBack() {
            if (held.compareAndSet(true, false)) {
                slots.release();
            }
        }
    }
}
