package dev.talkreel.emulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one emulated GPU, shared by the VibeVoice, ComfyUI and InfiniteTalk emulators. Each marks the time it "computes"
 * with {@link #enter(String)}/{@link #exit()}; the meter remembers the highest number of overlapping computations, so a
 * test can prove that the orchestrator never ran two GPU steps at once. It also keeps the spans in which the device
 * was busy, so a benchmark can measure the time the GPU stood idle between steps.
 *
 * <p>It is also the device's memory (docs/SERVICES.md §2.5): each service keeps its model resident after a call, so
 * on one 32 GB card VibeVoice-Large (18 GB), Wan 2.2 (20 GB) and InfiniteTalk (24 GB at work) cannot all stay loaded.
 * A service {@link #load loads} its model (a load, counted) or finds it resident; it {@link #use grows or shrinks} its
 * footprint without a load (InfiniteTalk's work memory, given back by empty_cache); it {@link #unload unloads} when
 * asked. A load or growth that would pass the capacity is refused: the service answers with its out-of-memory error.
 */
public final class GpuMeter {
    private static final long GB = 1L << 30;
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger maxBusy = new AtomicInteger();
    private final AtomicInteger runs = new AtomicInteger();
    private volatile String overlapSeen;
    /** Busy spans of the device as nanoTime pairs: [start, end], end 0 while still busy. */
    private final List<long[]> spans = new ArrayList<>();

    // the memory, guarded by "this"
    private long capacity;
    /** Bytes each service holds on the device now. */
    private final Map<String, Long> held = new LinkedHashMap<>();
    /** Model loads per service since the last reset. */
    private final Map<String, Integer> loadsBy = new LinkedHashMap<>();
    /** The services whose model is on the device. */
    private final Set<String> loaded = new HashSet<>();
    private long peak;
    private int unloads;
    private int refusals;

    /** One span in which the device computed something, in System.nanoTime() terms. */
    public record Span(long startNanos, long endNanos) { }

    /** What {@link #load} found: the model already there, loaded now, or no room for it. */
    public enum Load { RESIDENT, LOADED, NO_ROOM }

    /** A 32 GB device (the seed's RTX 5090). */
    public GpuMeter() {
        this(32);
    }

    public GpuMeter(double capacityGb) {
        setCapacityGb(capacityGb);
    }

    /** Changes the device's size (a test's smaller or larger card); what is held stays. */
    public synchronized void setCapacityGb(double gb) {
        if (gb <= 0) {
            throw new IllegalArgumentException("emulator.gpu.vram-gb must be above 0, not " + gb);
        }
        capacity = bytes(gb);
    }

    /** GB (binary, as nvidia-smi and torch count them) to bytes. */
    public static long bytes(double gb) {
        return Math.round(gb * GB);
    }

    /**
     * Puts {@code owner}'s model on the device with {@code bytes} resident, unless it is there already. A load that
     * does not fit beside what the others hold is refused (NO_ROOM) and changes nothing.
     */
    public synchronized Load load(String owner, long bytes) {
        if (loaded.contains(owner)) {
            return Load.RESIDENT;
        }
        if (!fits(owner, bytes)) {
            refusals++;
            return Load.NO_ROOM;
        }
        loaded.add(owner);
        loadsBy.merge(owner, 1, Integer::sum);
        hold(owner, bytes);
        return Load.LOADED;
    }

    /**
     * Sets what {@code owner} holds to {@code bytes} without a load (work memory above a resident model, or
     * empty_cache giving it back); false, changing nothing, when growing would pass the capacity.
     */
    public synchronized boolean use(String owner, long bytes) {
        if (bytes > held.getOrDefault(owner, 0L) && !fits(owner, bytes)) {
            refusals++;
            return false;
        }
        hold(owner, bytes);
        return true;
    }

    /** Frees everything {@code owner} holds; true (an unload, counted) when its model was loaded. */
    public synchronized boolean unload(String owner) {
        held.remove(owner);
        if (loaded.remove(owner)) {
            unloads++;
            return true;
        }
        return false;
    }

    public synchronized boolean hasModel(String owner) {
        return loaded.contains(owner);
    }

    private boolean fits(String owner, long bytes) {
        return used() - held.getOrDefault(owner, 0L) + bytes <= capacity;
    }

    private void hold(String owner, long bytes) {
        if (bytes <= 0) {
            held.remove(owner);
        } else {
            held.put(owner, bytes);
        }
        peak = Math.max(peak, used());
    }

    public synchronized long capacity() {
        return capacity;
    }

    /** Bytes held on the device now, by every service. */
    public synchronized long used() {
        return held.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized long free() {
        return capacity - used();
    }

    /** Bytes held by {@code owner} now. */
    public synchronized long held(String owner) {
        return held.getOrDefault(owner, 0L);
    }

    /** Who holds how much now. */
    public synchronized Map<String, Long> holders() {
        return new LinkedHashMap<>(held);
    }

    /** The most memory ever held at once (since the last reset). */
    public synchronized long peakUsed() {
        return peak;
    }

    /** Model loads since the last reset, of every service. */
    public synchronized int loads() {
        return loadsBy.values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized int loads(String owner) {
        return loadsBy.getOrDefault(owner, 0);
    }

    public synchronized int unloads() {
        return unloads;
    }

    /** Loads and growths refused for want of memory (each one an out-of-memory reply). */
    public synchronized int refusals() {
        return refusals;
    }

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

    /** Clears the counters; the models stay where they are (a test does not empty a real card). */
    public void reset() {
        maxBusy.set(busy.get());
        runs.set(0);
        overlapSeen = null;
        synchronized (spans) {
            spans.clear();
        }
        synchronized (this) {
            peak = used();
            loadsBy.clear();
            unloads = 0;
            refusals = 0;
        }
    }
}
