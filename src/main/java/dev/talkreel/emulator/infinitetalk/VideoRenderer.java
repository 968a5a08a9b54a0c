package dev.talkreel.emulator.infinitetalk;

import dev.talkreel.emulator.RenderCache;
import dev.talkreel.media.Ffmpeg;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Makes the talking-head stand-in with ffmpeg: the reference image scaled to cover the bucket size and centre-cropped,
 * swaying gently, H.264 yuv420p at 25 fps with exactly the requested frame count, and the speech as AAC cropped to
 * the video length (16 kHz, as InfiniteTalk resamples it). Optionally pads the file with an mp4 {@code free} box so
 * tests can get a large but valid video cheaply.
 */
final class VideoRenderer {
    static final int FPS = 25;
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    /** How far the picture sways, in pixels, so the video is not a still. */
    private static final int SWAY = 8;
    private static final int CHUNK = 1 << 20;

    private VideoRenderer() {
    }

    /** Encodes {@code frames} frames of {@code size} from {@code image} and {@code audio} into {@code target}. */
    static void render(Path image, Path audio, Buckets.Size size, int frames, Path target) throws IOException {
        int w = size.width();
        int h = size.height();
        String video = String.format(Locale.ROOT, "[0:v]scale=%d:%d:force_original_aspect_ratio=increase,"
                + "crop=%d:%d:x='(iw-ow)/2+%d*sin(n/9)':y='(ih-oh)/2+%d*sin(n/13)',setsar=1,format=yuv420p[v]",
                w + 2 * SWAY, h + 2 * SWAY, w, h, SWAY, SWAY / 2);
        String seconds = String.format(Locale.ROOT, "%.3f", frames / (double) FPS);
        // a load test may reuse a video made from the very same pixels, speech, size and length (off by default);
        // the picture counts by its pixels, as ComfyUI's PNGs differ in their metadata (the prompt) only
        String key = RenderCache.enabled() ? w + "x" + h + "/" + frames + "/" + pixels(image) + "/"
                + RenderCache.digest(audio) : "";
        RenderCache.render("infinitetalk", key, target, out -> Ffmpeg.run(TIMEOUT, "-loop", "1", "-framerate",
                String.valueOf(FPS), "-i", image.toString(), "-i", audio.toString(), "-filter_complex", video,
                "-map", "[v]", "-map", "1:a:0",
                "-frames:v", String.valueOf(frames), "-r", String.valueOf(FPS),
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-ar", "16000", "-ac", "1", "-b:a", "64k", "-af", "atrim=0:" + seconds,
                "-t", seconds, "-movflags", "+faststart", "-f", "mp4", out.toString()));
    }

    /** A digest of the picture's pixels. */
    private static String pixels(Path image) throws IOException {
        BufferedImage picture = ImageIO.read(image.toFile());
        if (picture == null) {
            return RenderCache.digest(image);
        }
        int[] rgb = picture.getRGB(0, 0, picture.getWidth(), picture.getHeight(), null, 0, picture.getWidth());
        ByteBuffer bytes = ByteBuffer.allocate(rgb.length * 4);
        bytes.asIntBuffer().put(rgb);
        return picture.getWidth() + "x" + picture.getHeight() + ":" + RenderCache.digest(bytes.array());
    }

    /**
     * Appends a top-level {@code free} box of {@code bytes} bytes (at least 8), which players and ffprobe skip.
     * Written in 1 MiB chunks from one buffer, so a 300 MB pad costs no memory.
     */
    static void pad(Path file, long bytes) throws IOException {
        long total = Math.max(8, bytes);
        boolean large = total > 0xFFFFFFFFL;
        ByteBuffer header = ByteBuffer.allocate(large ? 16 : 8);
        header.putInt(large ? 1 : (int) total).put(new byte[] {'f', 'r', 'e', 'e'});
        if (large) {
            header.putLong(total);
        }
        header.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            long left = total - header.remaining();
            while (header.hasRemaining()) {
                ch.write(header);
            }
            ByteBuffer zeros = ByteBuffer.allocate(CHUNK);
            while (left > 0) {
                zeros.clear().limit((int) Math.min(CHUNK, left));
                left -= ch.write(zeros);
            }
        }
    }
}
