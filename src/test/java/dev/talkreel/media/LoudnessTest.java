package dev.talkreel.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** loudnorm's two passes on a real quiet tone: measured, then brought to the target by the measured values. */
class LoudnessTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final Loudness.Target TARGET = new Loudness.Target(-14, -1, 11);

    @TempDir
    Path dir;

    @Test
    void aQuietToneIsMeasuredThenBroughtToTheTarget() throws IOException {
        Ffmpeg.runIn(dir, TIMEOUT, List.of("-f", "lavfi", "-i", "sine=frequency=300:duration=4:sample_rate=16000",
                "-af", "volume=-30dB", "quiet.wav"));
        Loudness quiet = Loudness.measure(dir, "quiet.wav", TARGET, TIMEOUT);
        assertTrue(quiet.integrated() < -30, "quiet: " + quiet);
        assertEquals(quiet, Loudness.fromFacts(quiet.toFacts()), "the facts carry the measurement to the second pass");

        Ffmpeg.runIn(dir, TIMEOUT, List.of("-i", "quiet.wav", "-af", quiet.secondPassFilter(TARGET), "-ar", "48000",
                "loud.wav"));
        Loudness loud = Loudness.measure(dir, "loud.wav", TARGET, TIMEOUT);
        assertEquals(-14, loud.integrated(), 0.5, "normalised: " + loud);
        assertTrue(loud.truePeak() <= -1.0, "true peak under the ceiling: " + loud);
    }

    @Test
    void silenceIsRefusedSayingSo() throws IOException {
        Ffmpeg.runIn(dir, TIMEOUT, List.of("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "2", "silent.wav"));
        IOException e = assertThrows(IOException.class, () -> Loudness.measure(dir, "silent.wav", TARGET, TIMEOUT));
        assertTrue(e.getMessage().contains("silent"), e.getMessage());
    }
}
