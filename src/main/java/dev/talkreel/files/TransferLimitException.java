package dev.talkreel.files;

import java.io.IOException;

/**
 * A reply or download stopped by one of its limits: too big, too slow, past its deadline, or its job was cancelled.
 * An IOException because it surfaces from {@code InputStream.read}, but not a transient one: trying again would meet
 * the same limit, so it is never retried. Its message names the limit and the setting that sets it.
 */
public class TransferLimitException extends IOException {
    public TransferLimitException(String message) {
        super(message);
    }
}
