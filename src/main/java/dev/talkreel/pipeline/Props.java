package dev.talkreel.pipeline;

/** Names of the exchange properties the routes and the beans share. Small JSON travels in bodies; context here. */
public final class Props {
    /** The job an exchange works for. */
    public static final String JOB_ID = "jobId";
    /** The pipeline step an exchange runs (audio, voice, portrait, video). */
    public static final String STEP = "step";
    /** The service's id for the step's work (yttools task id, ComfyUI prompt id). */
    public static final String TASK_ID = "taskId";
    /** What the last poll said: running, done, failed or unknown. */
    public static final String POLL_STATE = "pollState";
    /** The service's words about a failed task. */
    public static final String POLL_DETAIL = "pollDetail";
    /** Facts a step gathers on its way, stored with its done marker. */
    public static final String STEP_DETAILS = "stepDetails";
    /** When the step started (System.nanoTime()): its deadline counts from here, polls and retries alike. */
    public static final String STEP_STARTED_NANOS = "stepStartedNanos";
    /** How many polls the step made so far. */
    public static final String POLLS = "polls";
    /** A pause before submitting again (a cool-down after the service ran out of GPU memory), in milliseconds. */
    public static final String RESUBMIT_DELAY_MS = "resubmitDelayMs";
    /** Why RetryPolicy gave up early (the deadline), for the failure record. */
    public static final String RETRY_STOP_REASON = "retryStopReason";

    private Props() {
    }
}
