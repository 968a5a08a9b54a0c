package dev.talkreel.finish;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one ffmpeg command that finishes a video: the picture fitted to the profile's frame (lanczos, never stretched:
 * the rest filled with a blurred copy of the picture or with black), the caption cues overlaid each in its time, the
 * sound normalised by loudnorm's second pass, then H.264 High yuv420p at 25 fps with exactly {@code frames} frames,
 * AAC 48 kHz stereo of exactly the same length, the index first (+faststart). Pure: values in, arguments out.
 */
public final class FinishGraph {
    /** InfiniteTalk's frame rate, which the delivery keeps. */
    public static final int FPS = 25;

    /** How the frame is filled when the picture's aspect differs from it. */
    public enum Fill {
        BLUR, LETTERBOX;

        /** The fill a setting names (talkreel.output.fill), in any case. */
        public static Fill named(String value) {
            String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
            for (Fill f : values()) {
                if (f.name().equals(v)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("talkreel.output.fill = " + value + ": expected blur or letterbox");
        }
    }

    /** How the encoder works: x264's preset and constant-quality factor. */
    public record Encoding(String preset, int crf) {
    }

    private FinishGraph() {
    }

    /**
     * The arguments (after ffmpeg's own) that read {@code source} and the cue pictures and write {@code target}.
     * {@code width x height} is the frame (the source's own for a native profile); {@code loudnorm} the second-pass
     * filter.
     */
    public static List<String> arguments(String source, int width, int height, Fill fill, List<CaptionCues.Cue> cues,
                                         String loudnorm, int frames, Encoding encoding, String target) {
        List<String> args = new ArrayList<>(List.of("-i", source));
        for (CaptionCues.Cue cue : cues) {
            args.addAll(List.of("-i", cue.image()));
        }
        String seconds = String.format(Locale.ROOT, "%.3f", frames / (double) FPS);
        StringBuilder graph = new StringBuilder(fit(width, height, fill));
        String last = "fit";
        for (int i = 0; i < cues.size(); i++) {
            CaptionCues.Cue cue = cues.get(i);
            // each cue picture is the full frame (transparent around the text): scaled to it, shown in its time
            graph.append(String.format(Locale.ROOT, ";[%d:v]scale=%d:%d,format=rgba[c%d];[%s][c%d]overlay=0:0:"
                    + "enable='between(t,%.3f,%.3f)'[o%d]", i + 1, width, height, i, last, i, cue.start(), cue.end(), i));
            last = "o" + i;
        }
        graph.append(";[").append(last).append("]format=yuv420p[v]");
        // the sound exactly as long as the picture: padded with silence or cut, resampled after loudnorm (192 kHz)
        graph.append(";[0:a]").append(loudnorm).append(",aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,")
                .append("apad,atrim=0:").append(seconds).append(",asetpts=PTS-STARTPTS[a]");
        args.addAll(List.of("-filter_complex", graph.toString(), "-map", "[v]", "-map", "[a]",
                "-frames:v", String.valueOf(frames), "-r", String.valueOf(FPS), "-fps_mode", "cfr",
                "-c:v", "libx264", "-profile:v", "high", "-preset", encoding.preset(),
                "-crf", String.valueOf(encoding.crf()), "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2",
                "-t", seconds, "-movflags", "+faststart", "-f", "mp4", target));
        return args;
    }

    /** The source picture fitted into the frame, labelled [fit]. */
    static String fit(int w, int h, Fill fill) {
        String front = String.format(Locale.ROOT, "scale=%d:%d:force_original_aspect_ratio=decrease:"
                + "force_divisible_by=2:flags=lanczos,setsar=1", w, h);
        if (fill == Fill.LETTERBOX) {
            return String.format(Locale.ROOT, "[0:v]fps=%d,%s,pad=%d:%d:(ow-iw)/2:(oh-ih)/2:color=black[fit]",
                    FPS, front, w, h);
        }
        // the background is blurred at a quarter of the size (cheap, and blurred anyway), then scaled up
        int bw = even(w / 4);
        int bh = even(h / 4);
        return String.format(Locale.ROOT, "[0:v]fps=%d,split=2[bgsrc][fgsrc];[bgsrc]scale=%d:%d:"
                + "force_original_aspect_ratio=increase:flags=bilinear,crop=%d:%d,gblur=sigma=12,scale=%d:%d:"
                + "flags=bilinear,setsar=1[bg];[fgsrc]%s[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2[fit]",
                FPS, bw, bh, bw, bh, w, h, front);
    }

    private static int even(int v) {
        return Math.max(2, v - v % 2);
    }
}
