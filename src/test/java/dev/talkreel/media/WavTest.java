package dev.talkreel.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The voice padded in Java, checked with the real ffprobe: exactly the asked length, the speech untouched. */
class WavTest {
    @TempDir
    Path dir;

    @Test
    void aMono16BitWavIsMeasuredAndPaddedWithSilenceToTheExactLength() throws Exception {
        byte[] speech = tone(24000, 1, 79_200); // 3.3 s
        Path raw = write("voice.wav", speech, new AudioFormat(24000, 16, 1, true, false));
        Wav.Pcm16 pcm = Wav.pcm16Mono(raw).orElseThrow();
        assertEquals(new Wav.Pcm16(24000, 79_200), pcm);
        assertEquals(3.3, pcm.seconds(), 1e-9);

        Path padded = dir.resolve("voice-8s.wav");
        Wav.padTo(raw, pcm, 192_000, padded);
        MediaInfo info = MediaProbe.probe(padded);
        assertEquals(8.0, info.durationSeconds(), 0.0005, info.toString());
        assertEquals(24000, info.audio().sampleRate());
        assertEquals(1, info.audio().channels());
        assertEquals("pcm_s16le", info.audio().codecName());
        byte[] data = Arrays.copyOfRange(Files.readAllBytes(padded), 44, 44 + 384_000);
        assertArrayEquals(speech, Arrays.copyOf(data, speech.length), "the speech is copied as it was");
        assertTrue(allZero(Arrays.copyOfRange(data, speech.length, data.length)), "then silence");
    }

    @Test
    void otherShapesAreLeftToFfmpeg() throws Exception {
        assertEquals(Optional.empty(), Wav.pcm16Mono(write("stereo.wav", tone(24000, 2, 2400),
                new AudioFormat(24000, 16, 2, true, false))));
        assertEquals(Optional.empty(), Wav.pcm16Mono(write("8bit.wav", new byte[2400],
                new AudioFormat(24000, 8, 1, true, false))));
        Path junk = dir.resolve("junk.wav");
        Files.write(junk, "RIFF nonsense".getBytes());
        assertEquals(Optional.empty(), Wav.pcm16Mono(junk));
        assertEquals(Optional.empty(), Wav.pcm16Mono(dir.resolve("missing.wav")));
        // a header that promises more samples than the file holds (cut off), or none at all
        Path whole = write("whole.wav", tone(24000, 1, 2400), new AudioFormat(24000, 16, 1, true, false));
        Path cut = dir.resolve("cut.wav");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(whole), 44 + 1000));
        assertEquals(Optional.empty(), Wav.pcm16Mono(cut));
        Path empty = write("empty.wav", new byte[0], new AudioFormat(24000, 16, 1, true, false));
        assertEquals(Optional.empty(), Wav.pcm16Mono(empty));
    }

    private Path write(String name, byte[] data, AudioFormat format) throws Exception {
        Path file = dir.resolve(name);
        long frames = data.length / format.getFrameSize();
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(data), format, frames),
                AudioFileFormat.Type.WAVE, file.toFile());
        return file;
    }

    /** A 440 Hz tone, 16-bit little-endian, the same in every channel. */
    private static byte[] tone(int rate, int channels, int frames) {
        byte[] out = new byte[frames * channels * 2];
        for (int i = 0; i < frames; i++) {
            short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate));
            for (int c = 0; c < channels; c++) {
                out[(i * channels + c) * 2] = (byte) v;
                out[(i * channels + c) * 2 + 1] = (byte) (v >> 8);
            }
        }
        return out;
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
