package dev.talkreel.emulator;

/** Thrown by an emulated endpoint to answer with an error reply from deep inside its logic. */
public final class ReplyException extends RuntimeException {
    private final transient Reply reply;

    public ReplyException(Reply reply) {
        super("reply " + reply.status(), null, false, false);
        this.reply = reply;
    }

    public Reply reply() {
        return reply;
    }
}
