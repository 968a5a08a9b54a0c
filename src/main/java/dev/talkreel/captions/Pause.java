package dev.talkreel.captions;

/** A stretch of silence in the speech, from {@code start} to {@code end} seconds. */
public record Pause(double start, double end) {

    /** How far {@code t} lies from this pause: 0 inside it. */
    double distance(double t) {
        return t < start ? start - t : t > end ? t - end : 0;
    }
}
