package dev.talkreel.pipeline;

/**
 * A step that cannot succeed by trying again: the service said the task failed, the input it produced is wrong,
 * or a wait ran out. Its message is what the user reads in the job record. Never retried (errors.camel.yaml),
 * unlike its kind ServiceReplyException.
 */
public class StepFailedException extends RuntimeException {
    public StepFailedException(String message) {
        super(message);
    }
}
