package dev.talkreel.pipeline;

import dev.talkreel.job.JobStore;
import dev.talkreel.service.PollResult;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * Bounds the submit-then-poll loop: at most {@code talkreel.<service>.max-polls} polls and
 * {@code talkreel.<service>.deadline-ms} in all (retries included), at most a few resubmissions of a task the
 * service lost, and not a poll more once the job is cancelled. Every wait has an end, and its end says which limit
 * ran out.
 *
 * <p>Both count from the step's start, and a step starts only once it holds one of its service's task slots
 * (TaskSlots, talkreel.yttools.max-in-flight) and is submitted at once: a job queued behind others spends neither
 * while it waits. The slots keep the service's own queue short, so a submitted task is worked on within the budget.
 */
public final class PollBudget {
    private static final int MAX_SUBMITS = 3;
    private static final String SUBMITS = "submits";
    private final Pipeline pipeline;
    private final PerService<Limits> limits;
    private final JobStore jobs;

    /** The limits of one polled step. */
    public record Limits(int maxPolls, long deadlineMs) {
    }

    public PollBudget(Pipeline pipeline, PerService<Limits> limits, JobStore jobs) {
        this.pipeline = pipeline;
        this.limits = limits;
        this.jobs = jobs;
    }

    /** Resets the count of submissions (its clock is the step's own, see StepTracker.started). */
    public void begin(Exchange exchange) {
        exchange.setProperty(SUBMITS, 0);
    }

    /** Counts a submission; the service may lose a task once or twice (a restart), not forever. */
    public void submitting(@ExchangeProperty("poll") PollResult last, Exchange exchange) {
        int submits = exchange.getProperty(SUBMITS, 0, Integer.class) + 1;
        exchange.setProperty(SUBMITS, submits);
        if (submits > MAX_SUBMITS) {
            StepDefinition step = pipeline.stepOf(exchange);
            throw new StepFailedException(step.serviceName() + " lost the task " + (submits - 1)
                    + " times; giving up (last: " + (last == null ? null : last.detail()) + ")");
        }
        if (submits > 1) {
            StepTracker.details(exchange).put("resubmitted", submits - 1);
        }
    }

    /** What is left of the step's deadline, in milliseconds (0 when past): the longest the next pause may last. */
    public long timeLeftMs(Exchange exchange) {
        Limits l = limits.get(pipeline.stepOf(exchange).service());
        return Math.max(0, l.deadlineMs() - RetryPolicy.elapsedMs(exchange));
    }

    /**
     * Counts a poll, and ends the wait when a limit is reached or the job was cancelled.
     *
     * @return the polls made so far, this one included (the route keeps it as exchangeProperty.polls)
     */
    public int tick(@ExchangeProperty(Props.POLLS) Integer before, Exchange exchange) {
        StepDefinition step = pipeline.stepOf(exchange);
        if (jobs.isCancelled(exchange.getProperty(Props.JOB_ID, String.class))) {
            throw new StepCancelledException("the job was cancelled while " + step.serviceName() + " worked");
        }
        Limits l = limits.get(step.service());
        int polls = (before == null ? 0 : before) + 1;
        long elapsed = RetryPolicy.elapsedMs(exchange);
        if (polls > l.maxPolls()) {
            throw new StepTimeoutException(step.serviceName() + " had not finished after " + l.maxPolls()
                    + " polls (talkreel." + step.service() + ".max-polls)");
        }
        if (elapsed > l.deadlineMs()) {
            throw new StepTimeoutException(step.serviceName() + " had not finished after " + elapsed / 1000
                    + " s, past the step's deadline of " + l.deadlineMs() / 1000 + " s (talkreel." + step.service()
                    + ".deadline-ms)");
        }
        StepTracker.details(exchange).put("polls", polls);
        return polls;
    }
}
