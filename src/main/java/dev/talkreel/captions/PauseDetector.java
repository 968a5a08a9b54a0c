package dev.talkreel.captions;

import dev.talkreel.media.Ffmpeg;
import dev.talkreel.media.MediaProbe;
import dev.talkreel.media.Wav;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the pauses in a voice with ffmpeg's {@code silencedetect}: sound below {@code noiseDb} (dBFS) for at least
 * {@code minPauseSeconds} is a pause. The filter's findings are printed by {@code ametadata} into a file (ffmpeg's
 * own log is kept to errors), then read back.
 */
public final class PauseDetector {
    private static final Pattern LINE = Pattern.compile("lavfi\\.silence_(start|end)=(-?[0-9.]+)");

    private final double noiseDb;
    private final double minPauseSeconds;
    private final Duration timeout;

    public PauseDetector(double noiseDb, double minPauseSeconds, Duration timeout) {
        this.noiseDb = noiseDb;
        this.minPauseSeconds = minPauseSeconds;
        this.timeout = timeout;
    }

    /** The speech in {@code audio}, or null when it is silent throughout. */
    public SpokenAudio detect(Path audio) throws IOException {
        // the padded voice is a WAV talkreel wrote: its header says how long it is, no ffprobe needed
        Optional<Wav.Pcm16> pcm = Wav.pcm16Mono(audio);
        double duration = pcm.isPresent() ? pcm.get().seconds() : MediaProbe.probe(audio).durationSeconds();
        Path work = Files.createTempDirectory("silence");
        try {
            Ffmpeg.runIn(work, timeout, List.of("-i", audio.toAbsolutePath().toString(), "-af",
                    String.format(Locale.ROOT, "silencedetect=n=%.1fdB:d=%.3f,ametadata=mode=print:file=silence.txt",
                            noiseDb, minPauseSeconds), "-f", "null", "-"));
            Path found = work.resolve("silence.txt");
            String text = Files.isRegularFile(found) ? Files.readString(found) : "";
            return SpokenAudio.of(silences(text, duration), duration);
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    /**
     * The silences in ametadata's print of silencedetect: each start with the end that follows it; a silence still
     * open at the end of the file ends with it ({@code duration}).
     */
    static List<Pause> silences(String printed, double duration) {
        List<Pause> out = new ArrayList<>();
        Double open = null;
        Matcher m = LINE.matcher(printed);
        while (m.find()) {
            double t = Math.max(0, Double.parseDouble(m.group(2)));
            if (m.group(1).equals("start")) {
                open = t;
            } else if (open != null) {
                out.add(new Pause(open, Math.min(t, duration)));
                open = null;
            }
        }
        if (open != null && open < duration) {
            out.add(new Pause(open, duration));
        }
        return out;
    }
}
