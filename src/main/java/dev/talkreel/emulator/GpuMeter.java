package dev.talkreel.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one emulated GPU, shared by the VibeVoice, ComfyUI and InfiniteTalk emulators. Each marks the time it "computes"
 * with {@link #enter(String)}/{@link #exit()}; the meter remembers the highest number of overlapping computations, so a
 * test can prove that the orchestrator never ran two GPU steps at once. It also keeps the spans in which the device
 * was busy, so a benchmark can measure the time the GPU stood idle between steps.
 */
public final class GpuMeter {
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger maxBusy = new AtomicInteger();
    private final AtomicInteger runs = new AtomicInteger();
    private volatile String overlapSeen;
    /** Busy spans of the device as nanoTime pairs: [start, end], end 0 while still busy. */
    private final List<long[]> spans = new ArrayList<>();

    /** One span in which the device computed something, in System.nanoTime() terms. */
    public record Span(long startNanos, long endNanos) { }

    public void enter(String who) {
        int now = busy.incrementAndGet();
        if (now == 1) {
            synchronized (spans) {
                spans.add(new long[] {System.nanoTime(), 0});
            }
        }
        runs.incrementAndGet();
        maxBusy.accumulateAndGet(now, Math::max);
        if (now > 1 && overlapSeen == null) {
            overlapSeen = who + " started while " + (now - 1) + " other GPU task(s) ran";
        }
    }

    public void exit() {
        if (busy.decrementAndGet() == 0) {
            synchronized (spans) {
                if (!spans.isEmpty()) {
                    spans.get(spans.size() - 1)[1] = System.nanoTime();
                }
            }
        }
    }

    /** The finished spans in which the device was busy, oldest first. */
    public List<Span> busySpans() {
        synchronized (spans) {
            return spans.stream().filter(s -> s[1] != 0).map(s -> new Span(s[0], s[1])).toList();
        }
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
        synchronized (spans) {
            spans.clear();
        }
    }
}
