package dev.talkreel.pipeline;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Admission of jobs into a step watcher's thread pool (talkreel.watch.max-parallel-jobs per step). A marker whose
 * step has no free slot is not queued in memory: the watcher leaves it on disk and sees it again at its next scan.
 *
 * <p>Why Java: the file consumer remembers a marker as consumed (its idempotent key) when the exchange completes
 * without error, and forgets it (a rollback, logged as a WARN each time) when it fails. A deferred marker must be
 * neither: {@link #idempotentKey} gives the file consumer no key for it (null: nothing is remembered), so it is
 * picked up again, quietly. A slot is given back when the exchange completes, whatever happened on the way; if a
 * marker was left meanwhile, the step's watcher is woken to scan for it now (talkreel.watch.in-process).
 */
public final class JobSlots {
    /** Set on an exchange whose marker is left for the next scan; copied by the file consumer into its key check. */
    public static final String DEFERRED = "TalkreelDeferred";
    private final int perStep;
    private final Map<String, Semaphore> slots = new ConcurrentHashMap<>();
    /** The steps that left a marker for the next scan since a slot of theirs last came back. */
    private final Set<String> deferred = ConcurrentHashMap.newKeySet();
    private final Consumer<String> slotFreed;

    public JobSlots(int perStep) {
        this(perStep, step -> { });
    }

    /**
     * @param slotFreed told the step whose slot came back while a marker of it waits on disk (HandOffs.wake: its
     *                  watcher scans now rather than at its next timed scan)
     */
    public JobSlots(int perStep, Consumer<String> slotFreed) {
        if (perStep < 1) {
            throw new IllegalArgumentException("talkreel.watch.max-parallel-jobs must be at least 1, not " + perStep);
        }
        this.perStep = perStep;
        this.slotFreed = slotFreed;
    }

    /**
     * Takes a slot of the step named by {@code step} for this exchange if one is free (never waits), and gives it back
     * when the exchange completes. False: the marker is left for the next scan.
     */
    public boolean tryEnter(Exchange exchange, String step) {
        Semaphore s = slots.computeIfAbsent(step, k -> new Semaphore(perStep));
        if (!s.tryAcquire()) {
            deferred.add(step);
            exchange.getMessage().setHeader(DEFERRED, true);
            return false;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                s.release();
                if (deferred.remove(step)) {
                    slotFreed.accept(step);
                }
            }
        });
        return true;
    }

    /**
     * The watcher's idempotent key: the step, the marker's path and its time (a marker touched again by a retry is
     * new), or null for a deferred marker, which the file consumer then does not remember.
     */
    public String idempotentKey(Exchange exchange, String step) {
        if (exchange.getMessage().getHeader(DEFERRED) != null) {
            return null;
        }
        return step + ":" + exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class) + "-"
                + exchange.getMessage().getHeader(Exchange.FILE_LAST_MODIFIED, Long.class);
    }

    /** Jobs of {@code step} running now (for tests and logs). */
    public int busy(String step) {
        Semaphore s = slots.get(step);
        return s == null ? 0 : perStep - s.availablePermits();
    }
}
