package dev.talkreel.captions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.media.Ffmpeg;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Caption pictures: the shipped font, text inside the safe area, transparent elsewhere, visible over a frame. */
class CaptionPainterTest {
    private static final List<String> LINES = List.of("we look at three things you", "can do with a paper clip;");
    private static final List<Cue> CUES = List.of(new Cue(0, 1, LINES),
            new Cue(1, 2, List.of("Today, in this very short video,")));
    private final CaptionPainter painter = new CaptionPainter(0.05);

    @TempDir
    Path dir;

    @Test
    void theFontIsTheOneInTheJarNotASystemFont() {
        assertEquals("Liberation Sans", CaptionPainter.loadFont().getFamily());
    }

    @Test
    void shortsCaptionsStayInsideTheSafeAreaLegiblyLargeAndTheRestIsTransparent() {
        float size = painter.fontSize(CUES, 1080, 1920);
        // 5% of 1080 is 54 px; the widest line (32 characters) fits the 853-pixel safe width at a little less
        assertTrue(size >= 44 && size <= 54, "font size " + size);
        BufferedImage image = painter.paint(LINES, 1080, 1920, size);
        Rectangle ink = assertInkInside(image, SafeArea.of(1080, 1920));
        // clear of the bottom 20% and the right 15% (like/comment/share), standing on the safe bottom edge
        assertTrue(ink.getMaxY() <= 1920 * 0.80, ink.toString());
        assertTrue(ink.getMaxY() >= 1920 * 0.80 - 20, "captions sit at the bottom of the safe area: " + ink);
        assertTrue(ink.getMaxX() <= 1080 * 0.85, ink.toString());
        assertTrue(ink.height >= 2 * size, "two lines: " + ink);
    }

    @Test
    void landscapeAndSquareCaptionsStayInsideTheirSafeAreas() {
        for (int[] frame : new int[][] {{1024, 576}, {1080, 1080}}) {
            float size = painter.fontSize(CUES, frame[0], frame[1]);
            assertInkInside(painter.paint(LINES, frame[0], frame[1], size), SafeArea.of(frame[0], frame[1]));
        }
    }

    @Test
    void aCaptionOverlaidWithFfmpegChangesTheFrameInTheCaptionAreaOnly() throws Exception {
        Path frame = dir.resolve("frame.png");
        Ffmpeg.run(Duration.ofSeconds(30), "-f", "lavfi", "-i", "testsrc2=s=1080x1920", "-frames:v", "1",
                frame.toString());
        BufferedImage cue = painter.paint(LINES, 1080, 1920, painter.fontSize(CUES, 1080, 1920));
        Path png = dir.resolve("cue-001.png");
        ImageIO.write(cue, "png", png.toFile());
        Path out = dir.resolve("captioned.png");
        Ffmpeg.run(Duration.ofSeconds(30), "-i", frame.toString(), "-i", png.toString(), "-filter_complex",
                "overlay=format=rgb", "-frames:v", "1", out.toString());

        BufferedImage before = ImageIO.read(frame.toFile());
        BufferedImage after = ImageIO.read(out.toFile());
        Rectangle area = inkBounds(cue);
        double inside = 0;
        double outside = 0;
        long outsideCount = 0;
        for (int y = 0; y < 1920; y++) {
            for (int x = 0; x < 1080; x++) {
                double d = difference(before.getRGB(x, y), after.getRGB(x, y));
                if (area.contains(x, y)) {
                    inside += d;
                } else {
                    outside += d;
                    outsideCount++;
                }
            }
        }
        double meanInside = inside / (area.width * (double) area.height);
        double meanOutside = outside / outsideCount;
        assertTrue(meanInside > 40, "mean difference in the caption area " + meanInside);
        assertTrue(meanOutside < 0.5, "mean difference elsewhere " + meanOutside);
    }

    /** The bounds of the non-transparent pixels, asserted within the safe area, with text and outline in them. */
    private static Rectangle assertInkInside(BufferedImage image, SafeArea safe) {
        Rectangle ink = inkBounds(image);
        int white = 0;
        int dark = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int argb = image.getRGB(x, y);
                int alpha = argb >>> 24;
                int grey = (argb & 0xff);
                if (alpha == 255 && grey > 240) {
                    white++;
                } else if (alpha > 200 && grey < 40) {
                    dark++;
                }
            }
        }
        assertTrue(white > 1000, "white text pixels: " + white);
        assertTrue(dark > 1000, "dark outline pixels: " + dark);
        Rectangle allowed = new Rectangle(safe.left(), safe.top(), image.getWidth() - safe.left() - safe.right(),
                image.getHeight() - safe.top() - safe.bottom());
        assertTrue(allowed.contains(ink), ink + " outside the safe area " + allowed);
        return ink;
    }

    private static Rectangle inkBounds(BufferedImage image) {
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) >>> 24) != 0) {
                    minX = Math.min(minX, x);
                    minY = Math.min(minY, y);
                    maxX = Math.max(maxX, x);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        assertTrue(maxX >= 0, "no caption pixel at all");
        return new Rectangle(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    private static double difference(int a, int b) {
        return (Math.abs((a >> 16 & 0xff) - (b >> 16 & 0xff)) + Math.abs((a >> 8 & 0xff) - (b >> 8 & 0xff))
                + Math.abs((a & 0xff) - (b & 0xff))) / 3.0;
    }
}
