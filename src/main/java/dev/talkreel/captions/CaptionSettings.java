package dev.talkreel.captions;

import java.util.function.Function;

/**
 * The talkreel.captions.* settings: whether a job without its own {@code captions} gets them, the cue size, the
 * pause detection and the text size.
 */
public record CaptionSettings(boolean enabled, int maxLineChars, int maxLines, double silenceNoiseDb,
        double minPauseSeconds, double snapSeconds, double fontSizeShare, long ffmpegTimeoutMs) {

    /** From the settings, {@code setting} giving a key's value. */
    public static CaptionSettings from(Function<String, String> setting) {
        String p = "talkreel.captions.";
        return new CaptionSettings(Boolean.parseBoolean(setting.apply(p + "enabled").trim()),
                Integer.parseInt(setting.apply(p + "max-line-chars").trim()),
                Integer.parseInt(setting.apply(p + "max-lines").trim()),
                Double.parseDouble(setting.apply(p + "silence-noise-db").trim()),
                Integer.parseInt(setting.apply(p + "min-pause-ms").trim()) / 1000.0,
                Integer.parseInt(setting.apply(p + "snap-ms").trim()) / 1000.0,
                Double.parseDouble(setting.apply(p + "font-size").trim()),
                Long.parseLong(setting.apply(p + "ffmpeg-timeout-ms").trim()));
    }
}
