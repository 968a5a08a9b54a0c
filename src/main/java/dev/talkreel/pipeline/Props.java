package dev.talkreel.pipeline;

/**
 * Names of the exchange properties the routes and the beans share: only the context of a step (its job, its name,
 * its clock, its facts and its task) and the retry bookkeeping. What a service said travels as a result the route
 * stores where the reader sees it (exchangeProperty.poll, a PollResult), never as a property a bean sets.
 */
public final class Props {
    /** The job an exchange works for. */
    public static final String JOB_ID = "jobId";
    /** The pipeline step an exchange runs (audio, voice, portrait, video). */
    public static final String STEP = "step";
    /** The service's id for the step's work (yttools task id, ComfyUI prompt id). */
    public static final String TASK_ID = "taskId";
    /** Facts a step gathers on its way, stored with its done marker. */
    public static final String STEP_DETAILS = "stepDetails";
    /** When the step started (System.nanoTime()): its deadline counts from here, polls and retries alike. */
    public static final String STEP_STARTED_NANOS = "stepStartedNanos";
    /**
     * The GPU host a GPU step holds its slot on (gpu/GpuHosts): set by the routes from gpuHosts.acquire's answer, read
     * by the service-call template (the host's URL) and by gpuHosts when the slot goes back.
     */
    public static final String GPU_HOST = "gpuHost";
    /** How many polls the step made so far. */
    public static final String POLLS = "polls";
    /** Why RetryPolicy gave up early (the deadline), for the failure record. */
    public static final String RETRY_STOP_REASON = "retryStopReason";

    private Props() {
    }
}
