package dev.talkreel.emulator.vibevoice;

import dev.talkreel.emulator.RenderCache;
import dev.talkreel.media.Ffmpeg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Emulated speech: one voiced tone burst per word (a 120 Hz voice with two harmonics whose pitch moves from word to
 * word), at 2.5 words a second divided by the speed factor, as 24 kHz mono audio. Within that length it is laid out
 * like real TTS: a little silence before the first word and after the last, a short gap between words, a longer pause
 * after a phrase (comma, semicolon, colon, dash) and a longer one still after a sentence; a word lasts in proportion to
 * its letters. Caption timing finds those pauses (captions/Pauses) and is tested against them.
 */
record Speech(byte[] audio, double seconds) {
    static final int SAMPLE_RATE = 24_000;
    static final double WORDS_PER_SECOND = 2.5;
    /** Samples of silence libmp3lame puts in front (576 + 529); ffprobe counts them, so the signal is that shorter. */
    private static final int MP3_ENCODER_DELAY = 1105;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** Silences in seconds, at speed 1, before they are fitted into the length (see {@link #layout}). */
    static final double LEAD = 0.20;
    static final double TAIL = 0.25;
    static final double WORD_GAP = 0.05;
    static final double PHRASE_PAUSE = 0.22;
    static final double SENTENCE_PAUSE = 0.40;
    /** Silence never takes more than this share of the speech, however many pauses the text has. */
    private static final double MAX_SILENT_SHARE = 0.5;

    /** One spoken word: its burst from {@code start} to {@code end} seconds. */
    record Word(double start, double end) {
    }

    static Speech say(String text, double speedFactor, String format) throws IOException {
        String[] words = text.strip().split("\\s+");
        long samples = Math.round(words.length / WORDS_PER_SECOND / speedFactor * SAMPLE_RATE);
        double seconds = (double) samples / SAMPLE_RATE;
        List<Word> bursts = layout(words, seconds);
        double slot = 1 / WORDS_PER_SECOND / speedFactor;
        String f0 = "120*(1+0.12*sin(1.9*floor(t/" + slot + ")))";
        StringBuilder envelope = new StringBuilder("0");
        for (Word w : bursts) {
            envelope.append(String.format(Locale.ROOT, "+between(t,%.4f,%.4f)*sin(PI*(t-%.4f)/%.4f)",
                    w.start(), w.end(), w.start(), w.end() - w.start()));
        }
        String voice = "(" + envelope + ")"
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
            RenderCache.render("vibevoice", words.length + "/" + speedFactor + "/" + format + "/"
                    + Integer.toHexString(bursts.hashCode()), out, file -> {
                        args.add(file.toString());
                        Ffmpeg.run(TIMEOUT, args.toArray(String[]::new));
                    });
            return new Speech(Files.readAllBytes(out), seconds);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Where each word sounds within {@code seconds}: the silences (lead, gaps, pauses, tail) first, shrunk together
     * when they would take more than half, then the words share the rest by their letters (at least two each).
     */
    static List<Word> layout(String[] words, double seconds) {
        double[] after = new double[words.length];
        double silent = LEAD + TAIL;
        double letters = 0;
        for (int i = 0; i < words.length; i++) {
            after[i] = i == words.length - 1 ? 0 : pauseAfter(words[i]);
            silent += after[i];
            letters += weight(words[i]);
        }
        double scale = Math.min(1, MAX_SILENT_SHARE * seconds / silent);
        double voiced = seconds - silent * scale;
        List<Word> out = new ArrayList<>();
        double t = LEAD * scale;
        for (int i = 0; i < words.length; i++) {
            double end = t + voiced * weight(words[i]) / letters;
            out.add(new Word(t, end));
            t = end + after[i] * scale;
        }
        return out;
    }

    private static double pauseAfter(String word) {
        if (word.matches(".*[.!?…][\"')\\]]*")) {
            return SENTENCE_PAUSE;
        }
        return word.matches(".*[,;:][\"')\\]]*") || word.matches("[-–—]+") ? PHRASE_PAUSE : WORD_GAP;
    }

    private static int weight(String word) {
        return Math.max(2, word.replaceAll("[^\\p{L}\\p{N}]", "").length());
    }
}
