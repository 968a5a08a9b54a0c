package dev.talkreel.bench;

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

    static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.2f s", ms / 1e3);
    }
}
