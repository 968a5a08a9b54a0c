package dev.talkreel.captions;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * When the voice speaks: from the first sound ({@code start}) to the last ({@code end}), in seconds of the audio
 * file, and the pauses in between.
 */
public record SpokenAudio(double start, double end, List<Pause> pauses) {
    /** A silence this close to the file's start or end is its leading or trailing silence. */
    private static final double EDGE = 0.01;

    public SpokenAudio {
        pauses = List.copyOf(pauses);
    }

    /**
     * The speech in a file of {@code duration} seconds whose silences are {@code silences}: a silence at the very
     * start or end is outside the speech, the others are its pauses. Null when the file is silent throughout.
     */
    public static SpokenAudio of(List<Pause> silences, double duration) {
        double start = 0;
        double end = duration;
        List<Pause> inside = new ArrayList<>();
        for (Pause p : silences.stream().sorted(Comparator.comparingDouble(Pause::start)).toList()) {
            if (p.start() <= EDGE) {
                start = Math.max(start, p.end());
            } else if (p.end() >= duration - EDGE) {
                end = Math.min(end, p.start());
            } else {
                inside.add(p);
            }
        }
        if (end <= start) {
            return null;
        }
        double s = start;
        double e = end;
        return new SpokenAudio(start, end, inside.stream().filter(p -> p.start() > s && p.end() < e).toList());
    }

    /** The stretches of sound between the pauses, in order, as pauses' complements: [start, end] each. */
    List<double[]> segments() {
        List<double[]> out = new ArrayList<>();
        double from = start;
        for (Pause p : pauses) {
            out.add(new double[] {from, p.start()});
            from = p.end();
        }
        out.add(new double[] {from, end});
        return out;
    }
}
