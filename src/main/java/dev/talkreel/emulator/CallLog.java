package dev.talkreel.emulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the calls an emulator received, per operation (e.g. "POST /api/download"), so tests can assert on them. */
public final class CallLog {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Work> journal = Collections.synchronizedList(new ArrayList<>());

    /** One piece of work an emulator started, named by what it was for (a video id, a script, a ComfyUI output's name). */
    public record Work(String key, Instant started) {
    }

    void journal(String key) {
        journal.add(new Work(key, Instant.now()));
    }

    /** Every piece of work started since the last reset, oldest first. */
    public List<Work> journal() {
        synchronized (journal) {
            return List.copyOf(journal);
        }
    }

    void record(String operation) {
        counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    }

    public int count(String operation) {
        AtomicInteger c = counts.get(operation);
        return c == null ? 0 : c.get();
    }

    public int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public Map<String, Integer> snapshot() {
        Map<String, Integer> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public void reset() {
        counts.clear();
        journal.clear();
    }
}
