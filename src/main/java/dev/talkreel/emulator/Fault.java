package dev.talkreel.emulator;

import java.util.Locale;

/**
 * The ways an emulated service can misbehave on purpose. Generic faults are applied by {@link EmulatorServer}
 * before an operation runs; the service-specific ones (a failed task, a ComfyUI execution_error, out of GPU memory)
 * are reported by each emulator in its own words, as the real service would.
 */
public enum Fault {
    /** HTTP 500 with the service's own error body. */
    ERROR_500,
    /** Accept the request and never answer (until the emulator stops). */
    HANG,
    /** Close the TCP connection without an answer. */
    DROP,
    /** HTTP 200 whose body is not valid JSON. */
    MALFORMED,
    /** An async task that ends in the failed state (yttools status, ComfyUI history). */
    TASK_FAILED,
    /** ComfyUI: the prompt runs and ends with execution_error. */
    EXECUTION_ERROR,
    /**
     * ComfyUI /prompt: validated as if its models folders were empty (the usual first failure on a fresh server):
     * 400 prompt_outputs_failed_validation with empty details, the file names only in node_errors.
     */
    MISSING_MODEL,
    /**
     * ComfyUI /prompt: the workflow as if it had one more output node, an invalid one: 200 with that node in
     * node_errors, and the valid outputs still render.
     */
    NODE_ERRORS,
    /**
     * ComfyUI /prompt: the workflow as if its SaveImage nodes were invalid and a valid PreviewImage existed: 200 with
     * the SaveImage nodes in node_errors, and the preview still renders (for nobody, unless the client drops it).
     */
    OUTPUT_NODE_ERRORS,
    /** Out of GPU memory, in the service's words. */
    OOM,
    /**
     * HTTP 200 with a JSON body of the planned size (huge:&lt;bytes&gt;), streamed as it is sent and never held in
     * memory: a valid-looking JSON prefix, then one endless string.
     */
    HUGE,
    /** The true reply, sent slowly: trickle:&lt;bytes-per-second&gt;. */
    TRICKLE,
    /** HTTP 302 to another path of the same server, which a client should not follow. */
    REDIRECT,
    /** InfiniteTalk: the video_path replied is a symbolic link to a file outside every mapped folder. */
    SYMLINK;

    /** Accepts "error500", "ERROR_500", "execution-error" and the like. */
    public static Fault parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (t.equals("ERROR500") || t.equals("500")) {
            return ERROR_500;
        }
        return valueOf(t);
    }

    public boolean isGeneric() {
        return this == ERROR_500 || this == HANG || this == DROP || this == MALFORMED || this == HUGE
                || this == TRICKLE || this == REDIRECT;
    }

    /** Whether the fault takes an amount (huge:&lt;bytes&gt;, trickle:&lt;bytes-per-second&gt;). */
    public boolean takesAmount() {
        return this == HUGE || this == TRICKLE;
    }
}
