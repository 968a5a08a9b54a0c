package dev.talkreel.emulator.vibevoice;

import dev.talkreel.emulator.RenderCache;
import dev.talkreel.media.Ffmpeg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Emulated speech: one voiced tone burst per word (a 120 Hz voice with two harmonics whose pitch moves from word to
 * word) followed by a short pause, at 2.5 words a second divided by the speed factor, as 24 kHz mono audio.
 */
record Speech(byte[] audio, double seconds) {
    static final int SAMPLE_RATE = 24_000;
    static final double WORDS_PER_SECOND = 2.5;
    /** Samples of silence libmp3lame puts in front (576 + 529); ffprobe counts them, so the signal is that shorter. */
    private static final int MP3_ENCODER_DELAY = 1105;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    static Speech say(int words, double speedFactor, String format) throws IOException {
        long samples = Math.round(words / WORDS_PER_SECOND / speedFactor * SAMPLE_RATE);
        double slot = 1 / WORDS_PER_SECOND / speedFactor;
        double burst = 0.75 * slot;
        String f0 = "120*(1+0.12*sin(1.9*floor(t/" + slot + ")))";
        String voice = "if(lt(mod(t," + slot + ")," + burst + "),sin(PI*mod(t," + slot + ")/" + burst + "),0)"
                + "*0.3*(sin(2*PI*" + f0 + "*t)+0.5*sin(4*PI*" + f0 + "*t)+0.3*sin(6*PI*" + f0 + "*t))";
        boolean mp3 = format.equals("mp3");
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i",
                "aevalsrc='" + voice + "':s=" + SAMPLE_RATE + ":c=mono",
                "-af", "atrim=end_sample=" + (mp3 ? Math.max(1, samples - MP3_ENCODER_DELAY) : samples)));
        args.addAll(switch (format) {
            case "mp3" -> List.of("-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3");
            // this ffmpeg build has no libvorbis; its own Vorbis encoder is experimental and stereo-only
            case "ogg" -> List.of("-c:a", "vorbis", "-strict", "experimental", "-ac", "2", "-f", "ogg");
            default -> List.of("-c:a", "pcm_s16le", "-f", "wav");
        });
        Path out = Files.createTempFile("vibevoice", "." + format);
        try {
            // the speech depends on nothing else: a load test may reuse it (RenderCache, off by default)
            RenderCache.render("vibevoice", words + "/" + speedFactor + "/" + format, out, file -> {
                args.add(file.toString());
                Ffmpeg.run(TIMEOUT, args.toArray(String[]::new));
            });
            return new Speech(Files.readAllBytes(out), (double) samples / SAMPLE_RATE);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
