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

    private Props() {
    }
}
