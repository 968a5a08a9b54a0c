package dev.talkreel.finish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.media.Ffmpeg;
import dev.talkreel.media.Loudness;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FinishGraph's command run by the real ffmpeg on a small wide red picture put into a square frame: never stretched
 * (the picture keeps its aspect, centred), the rest black (letterbox) or a blurred copy of the picture (blur), 25 fps
 * and exactly the frames asked, AAC 48 kHz stereo.
 */
class FinishGraphTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final FinishGraph.Encoding FAST = new FinishGraph.Encoding("ultrafast", 20);

    @TempDir
    Path dir;

    @BeforeEach
    void aWideRedVideo() throws IOException {
        // 128x64 (2:1), red, with a tone: the raw video's stand-in
        Ffmpeg.runIn(dir, TIMEOUT, List.of("-f", "lavfi", "-i", "color=c=red:size=128x64:rate=25:duration=2",
                "-f", "lavfi", "-i", "sine=frequency=300:duration=2", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "2", "video.mp4"));
    }

    @Test
    void letterboxKeepsThePicturesAspectAndFillsTheRestWithBlack() throws IOException {
        BufferedImage frame = finish(FinishGraph.Fill.LETTERBOX);
        // 128x64 into 128x128: the picture 128x64 in the middle, 32 rows of black above and below
        assertTrue(isRed(frame.getRGB(64, 64)), "the picture in the middle");
        assertTrue(isRed(frame.getRGB(64, 36)) && isRed(frame.getRGB(64, 92)), "its full height, not stretched");
        assertTrue(isBlack(frame.getRGB(64, 8)) && isBlack(frame.getRGB(64, 120)), "black above and below");
    }

    @Test
    void blurFillsTheRestWithTheBlurredPictureNotBlack() throws IOException {
        BufferedImage frame = finish(FinishGraph.Fill.BLUR);
        assertTrue(isRed(frame.getRGB(64, 64)), "the picture in the middle");
        assertTrue(isRed(frame.getRGB(64, 8)), "above it, the blurred red picture: " + Integer.toHexString(frame.getRGB(64, 8)));
    }

    /** Finishes video.mp4 into a 128x128 frame for 1 s and returns its frame at 0.5 s. */
    private BufferedImage finish(FinishGraph.Fill fill) throws IOException {
        Loudness.Target target = new Loudness.Target(-14, -1, 11);
        Loudness measured = Loudness.measure(dir, "video.mp4", target, TIMEOUT);
        Ffmpeg.runIn(dir, TIMEOUT, FinishGraph.arguments("video.mp4", 128, 128, fill, List.of(),
                measured.secondPassFilter(target), 25, FAST, "final.mp4"));
        MediaInfo info = MediaProbe.probe(dir.resolve("final.mp4"), true);
        assertEquals("128x128", info.video().width() + "x" + info.video().height());
        assertEquals(25, info.video().frames());
        assertEquals(1.0, info.durationSeconds(), 0.001);
        assertEquals(48000, info.audio().sampleRate());
        assertEquals(2, info.audio().channels());
        Ffmpeg.runIn(dir, TIMEOUT, List.of("-ss", "0.5", "-i", "final.mp4", "-frames:v", "1", "frame.png"));
        return ImageIO.read(dir.resolve("frame.png").toFile());
    }

    private static boolean isRed(int rgb) {
        return ((rgb >> 16) & 0xFF) > 180 && ((rgb >> 8) & 0xFF) < 60 && (rgb & 0xFF) < 60;
    }

    private static boolean isBlack(int rgb) {
        return ((rgb >> 16) & 0xFF) < 30 && ((rgb >> 8) & 0xFF) < 30 && (rgb & 0xFF) < 30;
    }
}
