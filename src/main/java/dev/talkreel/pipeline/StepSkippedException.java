package dev.talkreel.pipeline;

/**
 * A step that no longer has to run when its turn comes (its job failed or was cancelled while it waited for the GPU,
 * or it was done meanwhile). Not a failure: the failure path sees it and records nothing.
 */
public class StepSkippedException extends StepFailedException {
    public StepSkippedException(String message) {
        super(message);
    }
}
