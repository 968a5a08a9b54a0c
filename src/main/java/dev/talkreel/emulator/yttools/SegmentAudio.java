package dev.talkreel.emulator.yttools;

import dev.talkreel.emulator.RenderCache;
import dev.talkreel.media.Ffmpeg;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Makes the "downloaded" segment: real audio with ffmpeg, mono 24 kHz, lasting exactly the requested time. */
final class SegmentAudio {
    static final int SAMPLE_RATE = 24_000;
    /**
     * Samples of silence libmp3lame puts in front of the signal (576 + 529). ffprobe counts them in an MP3's duration,
     * so the signal is shortened by this much to make the file measure the requested time, to within one 576-sample
     * frame, as the orchestrator measures it.
     */
    private static final int MP3_ENCODER_DELAY = 1105;
    /**
     * A voice-like signal: a 130 Hz voice with two harmonics and a slow vibrato, a syllable-rate (4.3 Hz) tremolo and
     * a phrase-rate swell.
     */
    private static final String VOICE = "0.25*(sin(2*PI*130*t+2*sin(2*PI*3*t))+0.5*sin(2*PI*260*t+4*sin(2*PI*3*t))"
            + "+0.25*sin(2*PI*390*t))*(0.6+0.4*sin(2*PI*4.3*t))*(0.7+0.3*sin(2*PI*0.37*t))";
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private SegmentAudio() {
    }

    /** Writes {@code seconds} of audio to {@code target} as "mp3" or "wav". */
    static void write(Path target, double seconds, String format) throws IOException {
        long samples = Math.round(seconds * SAMPLE_RATE);
        boolean mp3 = format.equals("mp3");
        long signal = mp3 ? Math.max(1, samples - MP3_ENCODER_DELAY) : samples;
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i",
                "aevalsrc='" + VOICE + "':s=" + SAMPLE_RATE + ":c=mono", "-af", "atrim=end_sample=" + signal));
        args.addAll(mp3 ? List.of("-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3")
                : List.of("-c:a", "pcm_s16le", "-f", "wav"));
        // the audio depends on nothing else: a load test may reuse it (RenderCache, off by default)
        RenderCache.render("yttools", samples + "/" + format, target, out -> {
            args.add(out.toString());
            Ffmpeg.run(TIMEOUT, args.toArray(String[]::new));
        });
    }
}
