package dev.talkreel.captions;

import java.util.List;
import java.util.Locale;

/** The cues as SubRip (.srt) and WebVTT (.vtt) text. */
public final class SubtitleFiles {

    private SubtitleFiles() {
    }

    /** SubRip: numbered cues, {@code hh:mm:ss,mmm --> hh:mm:ss,mmm}, a blank line after each. */
    public static String srt(List<Cue> cues) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cues.size(); i++) {
            Cue c = cues.get(i);
            out.append(i + 1).append('\n')
                    .append(timestamp(c.start(), ',')).append(" --> ").append(timestamp(c.end(), ',')).append('\n')
                    .append(c.text()).append("\n\n");
        }
        return out.toString();
    }

    /** WebVTT: the {@code WEBVTT} header, then cues timed {@code hh:mm:ss.mmm --> hh:mm:ss.mmm}. */
    public static String vtt(List<Cue> cues) {
        StringBuilder out = new StringBuilder("WEBVTT\n\n");
        for (Cue c : cues) {
            out.append(timestamp(c.start(), '.')).append(" --> ").append(timestamp(c.end(), '.')).append('\n')
                    // "-->" would end the cue's text early in a VTT reader
                    .append(c.text().replace("-->", "->")).append("\n\n");
        }
        return out.toString();
    }

    static String timestamp(double seconds, char decimal) {
        long ms = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60,
                decimal, ms % 1000);
    }
}
