package dev.talkreel.gpu;

import java.util.List;

/** First come, first served: the GPU's time in the order the steps asked for it, whatever model each needs. */
public final class FifoPolicy implements GpuPolicy {

    @Override
    public Choice choose(List<GpuWaiter> queue, String loaded) {
        return new Choice(queue.get(0), "arrival order (talkreel.gpu.policy = fifo)");
    }
}
