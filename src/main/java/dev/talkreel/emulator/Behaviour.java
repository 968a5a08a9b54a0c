package dev.talkreel.emulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an emulator is told to do besides answering correctly: how long each operation lasts, and which of the next
 * calls of an operation fail, and how. Thread-safe; tests change it while the emulator runs.
 */
public final class Behaviour {
    private final Map<String, Duration> latency = new ConcurrentHashMap<>();
    private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();

    /** Makes {@code operation} last {@code duration} (an async task's processing time, or a sync call's delay). */
    public Behaviour latency(String operation, Duration duration) {
        latency.put(operation, duration);
        return this;
    }

    public Duration latency(String operation) {
        return latency.getOrDefault(operation, Duration.ZERO);
    }

    /** The next {@code times} calls of {@code operation} fail with {@code fault}. */
    public Behaviour failNext(String operation, Fault fault, int times) {
        Deque<Fault> queue = faults.computeIfAbsent(operation, k -> new ArrayDeque<>());
        synchronized (queue) {
            for (int i = 0; i < times; i++) {
                queue.addLast(fault);
            }
        }
        return this;
    }

    /** Takes the fault planned for this call of {@code operation}, or null when it should succeed. */
    public Fault takeFault(String operation) {
        Deque<Fault> queue = faults.get(operation);
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            return queue.pollFirst();
        }
    }

    /** Forgets every latency and pending fault. */
    public void reset() {
        latency.clear();
        faults.clear();
    }

    /**
     * Reads settings of the form {@code latency.<operation>=<millis>} and {@code fault.<operation>=<fault>[:count]}
     * (count defaults to 1), as given in config/emulators.properties under each emulator's prefix.
     */
    public void configure(Map<String, String> settings) {
        settings.forEach((key, value) -> {
            if (value == null || value.isBlank()) {
                return;
            }
            if (key.startsWith("latency.")) {
                latency(key.substring("latency.".length()), Duration.ofMillis(Long.parseLong(value.trim())));
            } else if (key.startsWith("fault.")) {
                String[] parts = value.split(":");
                int times = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : 1;
                failNext(key.substring("fault.".length()), Fault.parse(parts[0]), times);
            }
        });
    }
}
