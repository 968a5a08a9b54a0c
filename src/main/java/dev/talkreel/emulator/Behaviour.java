package dev.talkreel.emulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an emulator is told to do besides answering correctly: how long each operation lasts, and which of the next
 * calls of an operation fail, and how. Thread-safe; tests change it while the emulator runs.
 */
public final class Behaviour {
    private final Map<String, Duration> latency = new ConcurrentHashMap<>();
    private final Map<String, Deque<Planned>> faults = new ConcurrentHashMap<>();

    /** A fault planned for one call, with its amount where it takes one (bytes of HUGE, bytes per second of TRICKLE). */
    public record Planned(Fault fault, long amount) {
    }

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
        return failNext(operation, fault, 0, times);
    }

    /** The next {@code times} calls of {@code operation} fail with {@code fault} of {@code amount} (huge, trickle). */
    public Behaviour failNext(String operation, Fault fault, long amount, int times) {
        if (fault.takesAmount() && amount <= 0) {
            throw new IllegalArgumentException(fault + " needs an amount above 0, e.g. huge:2147483648 or trickle:1");
        }
        Deque<Planned> queue = faults.computeIfAbsent(operation, k -> new ArrayDeque<>());
        synchronized (queue) {
            for (int i = 0; i < times; i++) {
                queue.addLast(new Planned(fault, amount));
            }
        }
        return this;
    }

    /** Takes the fault planned for this call of {@code operation}, or null when it should succeed. */
    public Fault takeFault(String operation) {
        Planned planned = takePlanned(operation);
        return planned == null ? null : planned.fault();
    }

    /** Takes the fault planned for this call of {@code operation} with its amount, or null. */
    public Planned takePlanned(String operation) {
        Deque<Planned> queue = faults.get(operation);
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
     * (count defaults to 1), or {@code <fault>:<amount>[:count]} for the faults that take an amount
     * ({@code huge:2147483648}, {@code huge:2g}, {@code trickle:1}), as given in config/emulators.properties under each
     * emulator's prefix.
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
                Fault fault = Fault.parse(parts[0]);
                int next = fault.takesAmount() ? 2 : 1;
                if (fault.takesAmount() && parts.length < 2) {
                    throw new IllegalArgumentException(value + ": " + parts[0].trim() + " needs an amount, e.g. "
                            + parts[0].trim() + ":1024");
                }
                long amount = fault.takesAmount() ? amount(parts[1]) : 0;
                int times = parts.length > next ? Integer.parseInt(parts[next].trim()) : 1;
                failNext(key.substring("fault.".length()), fault, amount, times);
            }
        });
    }

    /** 2147483648, or with a binary suffix: 512m, 2g, 64k. */
    static long amount(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : t.endsWith("g") ? 1L << 30 : 1;
        return Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    }
}
