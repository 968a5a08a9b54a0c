package dev.talkreel.emulator;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one emulated GPU, shared by the VibeVoice, ComfyUI and InfiniteTalk emulators. Each marks the time it "computes"
 * with {@link #enter(String)}/{@link #exit()}; the meter remembers the highest number of overlapping computations, so a
 * test can prove that the orchestrator never ran two GPU steps at once.
 */
public final class GpuMeter {
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger maxBusy = new AtomicInteger();
    private final AtomicInteger runs = new AtomicInteger();
    private volatile String overlapSeen;

    public void enter(String who) {
        int now = busy.incrementAndGet();
        runs.incrementAndGet();
        maxBusy.accumulateAndGet(now, Math::max);
        if (now > 1 && overlapSeen == null) {
            overlapSeen = who + " started while " + (now - 1) + " other GPU task(s) ran";
        }
    }

    public void exit() {
        busy.decrementAndGet();
    }

    public int busy() {
        return busy.get();
    }

    /** The most GPU computations that ever ran at the same time. */
    public int maxConcurrent() {
        return maxBusy.get();
    }

    public int runs() {
        return runs.get();
    }

    /** A description of the first overlap, or null when none happened. */
    public String firstOverlap() {
        return overlapSeen;
    }

    public void reset() {
        maxBusy.set(busy.get());
        runs.set(0);
        overlapSeen = null;
    }
}
