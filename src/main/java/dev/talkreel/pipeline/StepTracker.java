package dev.talkreel.pipeline;

import dev.talkreel.job.JobStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the step routes tell the job record: a step starts, learns its task id, is done (its marker is the hand-off
 * to the next step's watcher), or fails. Reads the job and the step from the exchange properties.
 */
public final class StepTracker {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.steps");
    private final JobStore jobs;
    private final Pipeline pipeline;

    public StepTracker(JobStore jobs, Pipeline pipeline) {
        this.jobs = jobs;
        this.pipeline = pipeline;
    }

    /**
     * Whether the step still has to run (not done, job alive) and nobody in this process runs it yet: the watchers
     * skip everything else. The step is then claimed for as long as the exchange lives, whatever way it ends.
     */
    public boolean shouldRun(Exchange exchange) {
        String jobId = jobId(exchange);
        String step = exchange.getProperty(Props.STEP, String.class);
        if (jobId == null || !jobs.shouldRun(jobId, step) || !jobs.live().claim(jobId, step)) {
            return false;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                jobs.live().release(jobId, step);
            }
        });
        return true;
    }

    public void started(Exchange exchange) {
        String jobId = jobId(exchange);
        String step = exchange.getProperty(Props.STEP, String.class);
        if (!jobs.shouldRun(jobId, step)) {
            // checked again here: the job may have failed or been cancelled while this step waited for the GPU
            throw new StepSkippedException("job " + jobId + " no longer needs step " + step);
        }
        exchange.setProperty(Props.STEP_DETAILS, new LinkedHashMap<String, Object>());
        JobStore.Resumed before = jobs.stepStarted(jobId, step);
        // the step's clock is the wall clock of its first start, kept in the record: a restart does not reset it
        long sinceStart = before.wasRunning() && before.started() != null
                ? Math.max(0, Duration.between(Instant.parse(before.started()), Instant.now()).toMillis()) : 0;
        exchange.setProperty(Props.STEP_STARTED_NANOS, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(sinceStart));
        // a synchronous GPU call of a run that died may still be rendering: gpu/VramHandoff waited for it already
        LOG.info("job {} step {} started{}", jobId, step, before.cutOff(jobs.runId()) ? " again after a restart" : "");
    }

    /** Remembers the service's task id in the record, so that a restart resumes it rather than starting over. */
    public void taskSubmitted(Exchange exchange) {
        String taskId = exchange.getProperty(Props.TASK_ID, String.class);
        jobs.stepTask(jobId(exchange), exchange.getProperty(Props.STEP, String.class), taskId);
        LOG.info("job {} step {} submitted as task {}", jobId(exchange), exchange.getProperty(Props.STEP), taskId);
    }

    /** Adds facts (what a service said, what mediaTools.probe found) to those the step stores with its marker. */
    public void note(Map<String, Object> facts, Exchange exchange) {
        if (facts != null) {
            details(exchange).putAll(facts);
            jobs.events().progress(jobId(exchange), exchange.getProperty(Props.STEP, String.class), facts);
        }
    }

    /** The task id stored by an earlier run of this step, or null: the poll loop resumes it. */
    public String storedTaskId(@ExchangeProperty(Props.JOB_ID) String jobId, @ExchangeProperty(Props.STEP) String step) {
        return jobs.taskIdOf(jobId, step);
    }

    public void done(Exchange exchange) throws IOException {
        String jobId = jobId(exchange);
        StepDefinition step = pipeline.current(exchange);
        if (jobs.isCancelled(jobId)) {
            throw new StepCancelledException("the job was cancelled while " + step.serviceName() + " worked; its "
                    + "result is kept in the job folder but not handed on");
        }
        jobs.stepDone(jobId, step.id(), step.artifact(), details(exchange));
        LOG.info("job {} step {} done: {}", jobId, step.id(), step.artifact());
    }

    /** The failure path: runs on every error and timeout, and records step, attempt, error class and message. */
    public void failed(Exchange exchange) {
        String jobId = jobId(exchange);
        String stepName = exchange.getProperty(Props.STEP, String.class);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (error == null) {
            error = exchange.getException();
        }
        if (FailureExplainer.meaningful(error) instanceof StepSkippedException skipped) {
            LOG.info("{}", skipped.getMessage());
            return;
        }
        StepDefinition step = pipeline.stepOf(exchange);
        FailureExplainer.Explanation why = FailureExplainer.explain(error, step);
        // the calls made: the error handler counts every failure, retried or not (RetryPolicy noted the retried ones)
        int tries = Math.max(exchange.getProperty(RetryPolicy.TRIES, 1, Integer.class),
                exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class));
        String stopped = exchange.getProperty(Props.RETRY_STOP_REASON, String.class);
        String message = stopped == null ? why.message() : why.message() + " (no retry: " + stopped + ")";
        // the record is shown by the API: paths relative to the shared volume, never the host's
        message = message.replace(jobs.volume().root() + "/", "");
        if (jobId == null || stepName == null) {
            LOG.error("a pipeline exchange failed outside any job: {}", why.message(), error);
            return;
        }
        jobs.stepFailedOrLater(jobId, stepName, tries, why.errorClass(), message);
        LOG.warn("job {} failed at step {} after {} tries: {}: {}", jobId, stepName, tries, why.errorClass(), message);
    }

    /** The facts the running step has gathered so far (stored with its marker). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> details(Exchange exchange) {
        Map<String, Object> d = exchange.getProperty(Props.STEP_DETAILS, Map.class);
        if (d == null) {
            d = new LinkedHashMap<>();
            exchange.setProperty(Props.STEP_DETAILS, d);
        }
        return d;
    }

    public static String jobId(Exchange exchange) {
        return exchange.getProperty(Props.JOB_ID, String.class);
    }
}
