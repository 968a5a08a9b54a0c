package dev.talkreel.pipeline;

/** A step declared in routes/ that cannot run: the step at fault (null when no one step is), and why. */
public class StepDeclarationException extends IllegalStateException {
    private final String step;

    public StepDeclarationException(String step, String message) {
        super(message);
        this.step = step;
    }

    /** The step whose declaration is at fault, or null (e.g. no step publishes). */
    public String step() {
        return step;
    }
}
