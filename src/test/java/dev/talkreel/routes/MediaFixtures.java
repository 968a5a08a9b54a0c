package dev.talkreel.routes;

import dev.talkreel.media.Ffmpeg;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;

/**
 * Small real media files for the recorded service replies: the route tests mock the HTTP calls, but the beans behind
 * them probe, pad and check real audio, pictures and video with ffmpeg. Made once per test class, in about a second.
 */
final class MediaFixtures {
    private static final Duration FFMPEG_DEADLINE = Duration.ofSeconds(60);
    final Path reference;
    final Path speech;
    final Path portrait;
    final Path video;

    private MediaFixtures(Path dir) throws IOException {
        Files.createDirectories(dir);
        reference = dir.resolve("reference.mp3");
        speech = dir.resolve("voice.wav");
        portrait = dir.resolve("portrait.png");
        video = dir.resolve("video.mp4");
        // yttools' cut: a few seconds are enough for the sample check (min(segment, 3 s) - 0.5 s)
        Ffmpeg.run(FFMPEG_DEADLINE, "-f", "lavfi", "-i", "sine=frequency=220:duration=4", "-c:a", "libmp3lame",
                "-b:a", "64k", "-f", "mp3", reference.toString());
        // VibeVoice's speech: shorter than the 8 s video, so the voice step pads it
        Ffmpeg.run(FFMPEG_DEADLINE, "-f", "lavfi", "-i", "sine=frequency=330:duration=3", "-ar", "24000", "-ac", "1",
                "-c:a", "pcm_s16le", "-f", "wav", speech.toString());
        // InfiniteTalk's video: H.264 + AAC, exactly 8 s at 25 fps
        Ffmpeg.run(FFMPEG_DEADLINE, "-f", "lavfi", "-i", "color=c=gray:size=128x72:rate=25:duration=8", "-f", "lavfi",
                "-i", "sine=frequency=330:duration=8", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-t", "8", "-f", "mp4", video.toString());
        BufferedImage picture = new BufferedImage(64, 36, BufferedImage.TYPE_INT_RGB);
        picture.getGraphics().setColor(Color.GRAY);
        picture.getGraphics().fillRect(0, 0, 64, 36);
        ImageIO.write(picture, "png", portrait.toFile());
    }

    static MediaFixtures in(Path dir) {
        try {
            return new MediaFixtures(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
