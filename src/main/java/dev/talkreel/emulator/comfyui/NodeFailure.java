package dev.talkreel.emulator.comfyui;

/**
 * A Python exception raised while a node runs; the prompt ends with {@code execution_error} naming it
 * ({@code exception_type}, {@code exception_message}).
 */
final class NodeFailure extends RuntimeException {
    private final String pythonType;

    NodeFailure(String pythonType, String message) {
        super(message, null, false, false);
        this.pythonType = pythonType;
    }

    String pythonType() {
        return pythonType;
    }
}
