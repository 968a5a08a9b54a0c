package dev.talkreel.pipeline;

/** A bounded wait that ran out: too many polls, the step's deadline, or no GPU slot in time. */
public class StepTimeoutException extends StepFailedException {
    public StepTimeoutException(String message) {
        super(message);
    }
}
