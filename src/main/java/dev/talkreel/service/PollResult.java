package dev.talkreel.service;

import java.util.Map;

/**
 * What one poll of an asynchronous service said, for the submit-then-poll template to branch on
 * ({@code ${exchangeProperty.poll.state} == 'done'}).
 *
 * @param state           submit (nothing submitted yet), running, done, failed, or unknown (the service lost the
 *                        task: submitted again)
 * @param detail          the service's words, for a failure or a log line; may be null
 * @param facts           what the poll learnt for the step's record (progress, the file it produced); never null
 * @param askQueue        ComfyUI only: its history cannot tell "still running" from "lost", so ask its queue now
 * @param resubmitDelayMs a pause before submitting again (a cool-down after the service ran out of GPU memory)
 * @param fetch           where the result is, for the fetch call (ComfyUI's /view query); null until done
 */
public record PollResult(String state, String detail, Map<String, Object> facts, boolean askQueue,
                         long resubmitDelayMs, String fetch) {
    public static final String SUBMIT = "submit";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String UNKNOWN = "unknown";

    public PollResult {
        facts = facts == null ? Map.of() : facts;
    }

    /** Where a step's poll loop begins: submit, or carry on polling a task an earlier run stored. */
    public static PollResult resume(String storedTaskId) {
        return new PollResult(storedTaskId == null ? SUBMIT : RUNNING, null, null, false, 0, null);
    }

    public static PollResult running(String detail, Map<String, Object> facts) {
        return new PollResult(RUNNING, detail, facts, false, 0, null);
    }

    public static PollResult done(String fetch, Map<String, Object> facts) {
        return new PollResult(DONE, null, facts, false, 0, fetch);
    }

    public static PollResult failed(String detail) {
        return new PollResult(FAILED, detail, null, false, 0, null);
    }

    public static PollResult unknown(String detail) {
        return new PollResult(UNKNOWN, detail, null, false, 0, null);
    }

    /** This result, asking the route to look in the service's queue before the next poll. */
    public PollResult askingQueue() {
        return new PollResult(state, detail, facts, true, resubmitDelayMs, fetch);
    }

    /** This result, with a pause before the task is submitted again. */
    public PollResult afterCoolDown(long delayMs) {
        return new PollResult(state, detail, facts, askQueue, delayMs, fetch);
    }
}
