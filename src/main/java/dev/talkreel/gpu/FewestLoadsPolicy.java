package dev.talkreel.gpu;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Fewest model loads: a model load costs tens of seconds to minutes on the real GPU, so a slot goes to a step for the
 * model already loaded while there is one (portraits batch, then voices, then videos, as the jobs flow through). In
 * order:
 * <ol>
 * <li>a step passed over maxPassedOver times goes first (the oldest of them): nobody waits forever;</li>
 * <li>a step for the loaded model, the one furthest along first (a video finishes its job), then the oldest;</li>
 * <li>a load is needed whoever goes: the model most steps wait for (one load serves them all), a tie to the step
 * furthest along (finishing a job costs no more than starting one), then to the oldest.</li>
 * </ol>
 */
public final class FewestLoadsPolicy implements GpuPolicy {
    /** Furthest along first, then the oldest: as a max, the older arrival is the greater. */
    private static final Comparator<GpuWaiter> FURTHEST_THEN_OLDEST = Comparator.comparingInt(GpuWaiter::stage)
            .thenComparing(Comparator.comparingLong(GpuWaiter::arrival).reversed());

    private final int maxPassedOver;

    /** @param maxPassedOver how many later steps may go before a waiting one (0: arrival order) */
    public FewestLoadsPolicy(int maxPassedOver) {
        this.maxPassedOver = maxPassedOver;
    }

    @Override
    public Choice choose(List<GpuWaiter> queue, String loaded) {
        for (GpuWaiter w : queue) {
            if (w.passedOver() >= maxPassedOver) {
                return new Choice(w, "job " + w.jobId() + " " + w.step() + " was passed over " + w.passedOver()
                        + " times, the most talkreel.gpu.max-passed-over allows: it goes first");
            }
        }
        GpuWaiter same = queue.stream().filter(w -> w.model().equals(loaded)).max(FURTHEST_THEN_OLDEST).orElse(null);
        if (same != null) {
            return new Choice(same, loaded + " is loaded: no model load" + (same == queue.get(0) ? ""
                    : "; the " + queue.indexOf(same) + " older step(s) for other models wait"));
        }
        Map<String, Long> waiting = queue.stream().collect(Collectors.groupingBy(GpuWaiter::model, Collectors.counting()));
        Function<GpuWaiter, Long> servedByLoad = w -> waiting.get(w.model());
        GpuWaiter next = queue.stream().max(Comparator.comparing(servedByLoad).thenComparing(FURTHEST_THEN_OLDEST))
                .orElseThrow();
        return new Choice(next, (loaded == null ? "no model loaded yet" : "no step waits for " + loaded)
                + ": loading " + next.model() + " serves " + waiting.get(next.model()) + " waiting step(s)");
    }
}
