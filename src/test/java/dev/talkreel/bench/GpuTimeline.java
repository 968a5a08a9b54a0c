package dev.talkreel.bench;

import dev.talkreel.emulator.GpuMeter;
import java.util.List;

/**
 * What the one emulated GPU did in a run, from the meter's busy spans: its busy time (model loads included: the
 * emulators load inside their GPU work), and the time it stood idle between its first and its last piece of work.
 */
record GpuTimeline(long busyMs, long idleMs) {

    static GpuTimeline of(GpuMeter meter) {
        List<GpuMeter.Span> spans = meter.busySpans();
        long busy = 0;
        long idle = 0;
        for (int i = 0; i < spans.size(); i++) {
            busy += spans.get(i).endNanos() - spans.get(i).startNanos();
            if (i > 0) {
                idle += Math.max(0, spans.get(i).startNanos() - spans.get(i - 1).endNanos());
            }
        }
        return new GpuTimeline(busy / 1_000_000, idle / 1_000_000);
    }
}
