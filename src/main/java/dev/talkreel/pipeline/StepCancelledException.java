package dev.talkreel.pipeline;

/** The job was cancelled (DELETE /api/jobs/{id}) while this step ran: stop, and record the step as cancelled. */
public class StepCancelledException extends StepFailedException {
    public StepCancelledException(String message) {
        super(message);
    }
}
