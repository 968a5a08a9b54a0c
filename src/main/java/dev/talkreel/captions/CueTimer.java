package dev.talkreel.captions;

import java.util.ArrayList;
import java.util.List;

/**
 * Times the cues to the speech. Each cue gets a share of the time the voice actually sounds (the pauses left out) in
 * proportion to its characters, so the first cue starts with the first sound and the last ends with the last. A cue
 * change that falls within {@code snapSeconds} of a pause moves to where the speech resumes after it: a phrase
 * usually ends at a pause, and the next cue then appears as its first word is heard. Cues follow each other without
 * gaps (no flicker between them), and none is shorter than {@link #MIN_CUE_SECONDS} because of a snap.
 */
public final class CueTimer {
    static final double MIN_CUE_SECONDS = 0.3;

    private final double snapSeconds;

    public CueTimer(double snapSeconds) {
        this.snapSeconds = snapSeconds;
    }

    public List<Cue> time(List<List<String>> cues, SpokenAudio speech) {
        int n = cues.size();
        List<Cue> out = new ArrayList<>();
        if (n == 0) {
            return out;
        }
        double[] weight = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            weight[i] = Math.max(1, String.join(" ", cues.get(i)).length());
            total += weight[i];
        }
        List<double[]> segments = speech.segments();
        double sounding = segments.stream().mapToDouble(s -> s[1] - s[0]).sum();
        // raw[i]: where cue i starts, evenly by characters over the sounding time; raw[n]: the speech's end
        double[] raw = new double[n + 1];
        double done = 0;
        for (int i = 0; i < n; i++) {
            raw[i] = i == 0 ? speech.start() : atSoundingTime(segments, sounding * done / total);
            done += weight[i];
        }
        raw[n] = speech.end();
        double[] start = raw.clone();
        for (int i = 1; i < n; i++) {
            Pause near = nearest(speech.pauses(), raw[i]);
            if (near != null && near.distance(raw[i]) <= snapSeconds
                    && near.end() - start[i - 1] >= MIN_CUE_SECONDS && raw[i + 1] - near.end() >= MIN_CUE_SECONDS) {
                start[i] = near.end();
            }
        }
        for (int i = 0; i < n; i++) {
            out.add(new Cue(millis(start[i]), millis(start[i + 1]), cues.get(i)));
        }
        return out;
    }

    /** The moment in the audio when {@code t} seconds of sound have passed (pauses not counted). */
    private static double atSoundingTime(List<double[]> segments, double t) {
        double left = t;
        for (double[] s : segments) {
            double length = s[1] - s[0];
            if (left < length) {
                return s[0] + left;
            }
            left -= length;
        }
        return segments.get(segments.size() - 1)[1];
    }

    private static Pause nearest(List<Pause> pauses, double t) {
        Pause best = null;
        for (Pause p : pauses) {
            if (best == null || p.distance(t) < best.distance(t)) {
                best = p;
            }
        }
        return best;
    }

    private static double millis(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
