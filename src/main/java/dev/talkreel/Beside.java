package dev.talkreel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Work done beside the start, on a daemon thread of its own (named, for thread dumps): the start goes on and waits for
 * the result only where it needs it. Not the common fork-join pool: on a 2-core box it has one thread, which other
 * work may be holding.
 */
public final class Beside {
    private Beside() {
    }

    /** {@code work}'s result, or what it threw, once done. */
    public static <T> CompletableFuture<T> supply(String thread, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, thread);
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** Waits for {@code work} and returns its result, or throws what it threw (an unchecked exception as it was). */
    public static <T> T result(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
