package dev.talkreel.check;

import dev.talkreel.Beside;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * {@code serve}'s check, run beside the orchestrator's boot instead of before it: both load the same routes and
 * settings, so running them one after the other cost a second or more of every start. The orchestrator waits for the
 * verdict once its routes are loaded ({@link #afterConfigure}), before its context starts: no consumer, no job and no
 * file on the shared volume before the check said the tree is fit to serve. A boot that fails on its own (a broken
 * file fails camel-main too) is told apart by {@link #fit()}: the check's problems, with file and line, are the
 * explanation then.
 */
public final class CheckBeside extends MainListenerSupport {
    private final CompletableFuture<Integer> verdict;

    private CheckBeside(CompletableFuture<Integer> verdict) {
        this.verdict = verdict;
    }

    /** Starts {@code check} (0 when fit to serve; it prints its own report) on a thread of its own. */
    public static CheckBeside start(IntSupplier check) {
        return new CheckBeside(Beside.supply("talkreel-check", check::getAsInt));
    }

    /** Waits for the check: true when it found nothing wrong. A check that itself broke is not a verdict of fitness. */
    public boolean fit() {
        try {
            return verdict.join() == 0;
        } catch (RuntimeException broken) {
            System.err.println("talkreel check: could not run: " + broken.getCause());
            return false;
        }
    }

    /** The routes are loaded, nothing has started: the start goes on only on a clean check. */
    @Override
    public void afterConfigure(BaseMainSupport main) {
        if (!fit()) {
            throw new NotFitToServe();
        }
    }

    /** The check found problems (already printed, with file and line): the orchestrator does not start. */
    public static final class NotFitToServe extends RuntimeException {
        NotFitToServe() {
            super("talkreel check found problems", null, false, false);
        }
    }
}
