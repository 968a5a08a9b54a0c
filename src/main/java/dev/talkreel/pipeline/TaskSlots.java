package dev.talkreel.pipeline;

import dev.talkreel.job.JobStore;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many tasks a polled service is given at once (talkreel.yttools.max-in-flight): a job over the limit waits
 * here, before its step starts, so the wait spends neither its poll budget nor its step deadline (both count from
 * the step's start, which comes after). The record meanwhile shows the step pending and the job queued. A task
 * resumed after a restart takes a slot too: it is in flight at the service. The slot is held until the exchange
 * completes (fetched, failed, cancelled or stopped) and given back on every one of those paths. The wait is fair
 * (first come, first served), bounded (talkreel.&lt;service&gt;.max-wait-ms), and ends early if the job is cancelled.
 * Steps without a limit (ComfyUI: its GPU slot already allows one prompt at a time) pass straight through.
 * A plain semaphore rather than Camel's throttle: a slot is held for minutes, across a poll loop.
 */
public final class TaskSlots {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.steps");
    private static final String HOLDS_SLOT = "talkreelTaskSlot";
    private static final long CHECK_MS = 1000;
    private final Pipeline pipeline;
    private final PerService<Limit> limits;
    private final JobStore jobs;

    /** A service's limit: tasks in flight at once, and the longest a job waits for one of them. */
    public record Limit(int maxInFlight, long maxWaitMs, Semaphore slots) {
        public Limit(int maxInFlight, long maxWaitMs) {
            this(maxInFlight, maxWaitMs, new Semaphore(maxInFlight, true));
        }
    }

    /** {@code limits}: per service, null for a service without talkreel.&lt;service&gt;.max-in-flight. */
    public TaskSlots(Pipeline pipeline, PerService<Limit> limits, JobStore jobs) {
        this.pipeline = pipeline;
        this.limits = limits;
        this.jobs = jobs;
    }

    /** Waits for a free task slot of the exchange's step, and gives it back when the exchange completes. */
    public void acquire(Exchange exchange) {
        StepDefinition step = pipeline.stepOf(exchange);
        Limit limit = step == null ? null : limits.get(step.service());
        if (limit == null || Boolean.TRUE.equals(exchange.getProperty(HOLDS_SLOT))) {
            return;
        }
        String jobId = exchange.getProperty(Props.JOB_ID, String.class);
        if (!limit.slots().tryAcquire()) {
            LOG.info("job {} waits for one of the {} {} task slots (talkreel.{}.max-in-flight)", jobId,
                    limit.maxInFlight(), step.serviceName(), step.service());
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limit.maxWaitMs());
            while (!tryAcquire(limit)) {
                if (exchange.getContext().isStopping() || Thread.currentThread().isInterrupted()) {
                    // not a failure: the step never started, and the next start sees its marker again
                    throw new StepSkippedException("talkreel is stopping: job " + jobId + " gives up its place in "
                            + "the " + step.serviceName() + " queue and carries on at the next start");
                }
                if (jobs.isCancelled(jobId)) {
                    throw new StepCancelledException("the job was cancelled while it waited for " + step.serviceName());
                }
                if (System.nanoTime() > end) {
                    throw new StepTimeoutException("no " + step.serviceName() + " task slot became free within "
                            + limit.maxWaitMs() / 1000 + " s (talkreel." + step.service() + ".max-wait-ms); "
                            + limit.maxInFlight() + " other tasks held them");
                }
            }
        }
        exchange.setProperty(HOLDS_SLOT, true);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                limit.slots().release();
            }
        });
    }

    private static boolean tryAcquire(Limit limit) {
        try {
            return limit.slots().tryAcquire(CHECK_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
