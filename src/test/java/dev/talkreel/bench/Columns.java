package dev.talkreel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The benchmarks' side-by-side tables: one line per figure, one column per setting, the target last. */
final class Columns {
    private Columns() {
    }

    static <T> void row(List<T> settings, String label, Function<T, String> cell, String target) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-46s", label));
        for (T s : settings) {
            line.append(String.format(Locale.ROOT, " %-24s", cell.apply(s)));
        }
        System.out.println(line.append(' ').append(target));
    }

    /** The machine the figures come from: cores and load average (a shared machine's load slows every column). */
    static String machine() {
        String load;
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim().replaceAll("^(\\S+ \\S+ \\S+).*", "$1");
        } catch (IOException notLinux) {
            load = "unknown";
        }
        return Runtime.getRuntime().availableProcessors() + " cores, load average " + load;
    }

    /** The lines every latency bench opens with: its latencies and the machine; returns when it began. */
    static long begin() {
        System.out.println(Latencies.describe());
        System.out.println("machine at the start: " + machine());
        return System.nanoTime();
    }

    /** The line every latency bench ends with: how long it took (from {@link #begin}) and the machine then. */
    static void end(long began) {
        System.out.printf(Locale.ROOT, "%nbench took %.0f s; machine at the end: %s%n",
                (System.nanoTime() - began) / 1e9, machine());
    }

    static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1e3);
    }
}
