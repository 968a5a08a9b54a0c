package dev.talkreel.captions;

import dev.talkreel.Beside;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Draws a cue as a full-frame transparent picture to lay over the video (the ffmpeg build has no drawtext): white
 * text with a dark outline, legible on any background, centred in the platform's safe area (SafeArea) and standing on
 * its bottom edge. The font is Liberation Sans (SIL Open Font License), the TTF that the pdfbox artifact carries;
 * read from the classpath, never a system font: a fresh machine may have none, and a silent substitute would change
 * every caption's size.
 */
public final class CaptionPainter {
    static final String FONT = "/org/apache/pdfbox/resources/ttf/LiberationSans-Regular.ttf";
    /** Line to line, as a share of the font size. */
    private static final double LINE_SPACING = 1.25;
    /** The outline's stroke, as a share of the font size (half of it shows outside the letters). */
    private static final float OUTLINE = 0.24f;
    private static final Color TEXT = Color.WHITE;
    private static final Color EDGE = new Color(0, 0, 0, 230);

    static {
        // the orchestrator never opens a window: AWT draws into pictures only, on machines without a display
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final CompletableFuture<Font> font;
    private final double sizeShare;

    /** {@code sizeShare}: the font size as a share of the frame's shorter side, before it is fitted (fontSize). */
    public CaptionPainter(double sizeShare) {
        // read beside the start (about 60 ms of the boot's path), waited for by the first caption
        this.font = Beside.supply("talkreel-font", CaptionPainter::loadFont);
        this.sizeShare = sizeShare;
    }

    static Font loadFont() {
        try (InputStream in = CaptionPainter.class.getResourceAsStream(FONT)) {
            if (in == null) {
                throw new IllegalStateException("the caption font " + FONT + " is not on the classpath (it comes "
                        + "with org.apache.pdfbox:pdfbox in pom.xml): captions cannot be drawn");
            }
            return Font.createFont(Font.TRUETYPE_FONT, in);
        } catch (IOException | FontFormatException e) {
            throw new IllegalStateException("the caption font " + FONT + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * One font size for all the cues of a video: {@code sizeShare} of the frame's shorter side, made smaller when
     * needed so that the widest line, outline included, stays inside the safe area.
     */
    public float fontSize(List<Cue> cues, int width, int height) {
        float size = (float) (sizeShare * Math.min(width, height));
        Font f = Beside.result(font).deriveFont(size);
        double widest = 0;
        for (Cue cue : cues) {
            for (String line : cue.lines()) {
                widest = Math.max(widest, new TextLayout(line, f, context()).getAdvance());
            }
        }
        double room = SafeArea.of(width, height).width(width);
        // the outline reaches half its stroke beyond the letters on either side
        double needed = widest + size * OUTLINE;
        return needed <= room ? size : (float) Math.floor(size * room / needed);
    }

    /** The lines drawn on a transparent {@code width} x {@code height} frame at {@code size}. */
    public BufferedImage paint(List<String> lines, int width, int height, float size) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            Font f = Beside.result(font).deriveFont(size);
            SafeArea safe = SafeArea.of(width, height);
            double centre = safe.left() + safe.width(width) / 2.0;
            double step = size * LINE_SPACING;
            // the last line's letters (with their descenders and outline) end on the safe area's bottom edge
            double descent = f.getLineMetrics("gjpqy", context()).getDescent() + size * OUTLINE / 2;
            double baseline = height - safe.bottom() - descent - step * (lines.size() - 1);
            g.setStroke(new BasicStroke(size * OUTLINE, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            for (String line : lines) {
                TextLayout layout = new TextLayout(line, f, g.getFontRenderContext());
                double x = centre - layout.getAdvance() / 2;
                Shape outline = layout.getOutline(AffineTransform.getTranslateInstance(x, baseline));
                g.setColor(EDGE);
                g.draw(outline);
                g.setColor(TEXT);
                g.fill(outline);
                baseline += step;
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static FontRenderContext context() {
        return new FontRenderContext(null, true, true);
    }
}
