package dev.talkreel.gpu;

import java.util.List;

/**
 * Which waiting GPU step gets a slot that came free (talkreel.gpu.policy). A plain function of the queue and the model
 * last loaded, so that each GPU host of a pool can keep a gate with a policy of its own.
 */
public interface GpuPolicy {

    /** The step let in, and why (logged at debug level, logger talkreel.gpu). */
    record Choice(GpuWaiter waiter, String reason) {
    }

    /**
     * @param queue the waiting steps, oldest first; never empty
     * @param loaded the model of the GPU step let in last, or null when none was yet
     */
    Choice choose(List<GpuWaiter> queue, String loaded);

    /** The policy a setting names: fifo, or fewest-loads bounded by maxPassedOver. */
    static GpuPolicy named(String name, int maxPassedOver) {
        return switch (name) {
            case "fifo" -> new FifoPolicy();
            case "fewest-loads" -> new FewestLoadsPolicy(maxPassedOver);
            default -> throw new IllegalArgumentException("talkreel.gpu.policy is '" + name
                    + "': it takes fifo or fewest-loads");
        };
    }
}
