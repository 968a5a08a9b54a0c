package dev.talkreel.captions;

import java.util.List;

/** One caption: its lines, shown from {@code start} to {@code end} seconds. */
public record Cue(double start, double end, List<String> lines) {

    public Cue {
        lines = List.copyOf(lines);
    }

    /** The lines as one text, a line break between them (as SRT and VTT write it). */
    public String text() {
        return String.join("\n", lines);
    }
}
