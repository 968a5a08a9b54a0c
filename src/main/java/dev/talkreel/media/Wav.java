package dev.talkreel.media;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * The cloned voice as it usually comes (VibeVoice: 16-bit PCM WAV, mono, 24 kHz) measured and padded in plain Java:
 * a WAV file is a header and samples, so neither needs an ffmpeg process between two GPU steps. Anything else (float
 * samples, stereo, a streamed header without a length, not WAV at all) is left to ffmpeg by the caller.
 */
public final class Wav {
    private Wav() {
    }

    /** A 16-bit little-endian mono PCM WAV's rate and length. */
    public record Pcm16(int sampleRate, long frames) {
        public double seconds() {
            return frames / (double) sampleRate;
        }
    }

    /** The file's rate and length when it is a 16-bit mono PCM WAV with a known length; empty otherwise. */
    public static Optional<Pcm16> pcm16Mono(Path file) {
        try {
            AudioFileFormat f = AudioSystem.getAudioFileFormat(file.toFile());
            AudioFormat a = f.getFormat();
            // a header whose length the file does not hold (a streamed or cut-off WAV: 0 or 4 GB) is left to ffmpeg
            boolean plain = f.getType() == AudioFileFormat.Type.WAVE && a.getEncoding() == AudioFormat.Encoding.PCM_SIGNED
                    && a.getSampleSizeInBits() == 16 && a.getChannels() == 1 && !a.isBigEndian()
                    && f.getFrameLength() > 0 && 44 + f.getFrameLength() * 2L <= Files.size(file)
                    && a.getSampleRate() >= 8000 && a.getSampleRate() == Math.rint(a.getSampleRate());
            return plain ? Optional.of(new Pcm16((int) a.getSampleRate(), f.getFrameLength())) : Optional.empty();
        } catch (UnsupportedAudioFileException | IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes {@code source}'s samples followed by silence, {@code frames} in all, as a 16-bit mono PCM WAV: streamed,
     * whatever the length.
     */
    public static void padTo(Path source, Pcm16 format, long frames, Path target) throws IOException {
        long dataBytes = frames * 2;
        if (dataBytes + 36 > 0xFFFFFFFFL) {
            throw new IOException("a " + frames + "-sample WAV would be over 4 GB");
        }
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new BufferedInputStream(Files.newInputStream(source)));
             OutputStream out = Files.newOutputStream(target)) {
            out.write(header(format.sampleRate(), dataBytes));
            long copied = copy(in, out, Math.min(format.frames(), frames) * 2);
            byte[] zeros = new byte[64 * 1024];
            for (long left = dataBytes - copied; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        } catch (UnsupportedAudioFileException e) {
            throw new IOException(source + " is no longer a WAV file: " + e.getMessage(), e);
        }
    }

    private static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        for (int n; copied < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - copied))) > 0; ) {
            out.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    /** The 44-byte RIFF header of a 16-bit mono PCM WAV. */
    private static byte[] header(int rate, long dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) (36 + dataBytes));
        b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) dataBytes);
        return b.array();
    }
}
