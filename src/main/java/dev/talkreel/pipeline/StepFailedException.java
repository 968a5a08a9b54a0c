package dev.talkreel.pipeline;

/**
 * A step that cannot succeed by trying again: the service said the task failed, the input it produced is wrong,
 * or a wait ran out. Its message is what the user reads in the job record.
 */
public class StepFailedException extends RuntimeException {
    private final boolean retryable;

    public StepFailedException(String message) {
        this(message, false);
    }

    public StepFailedException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
