package dev.talkreel.emulator.comfyui;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Draws the stand-in for a Wan 2.2 portrait: a gradient background, shoulders, a face oval with eyes and a mouth.
 * Colours and proportions follow a "variety" number (from the seed and the prompt text), so different prompts give
 * visibly different images and the same prompt gives the same image.
 */
final class PortraitPainter {
    private PortraitPainter() {
    }

    static BufferedImage paint(int width, int height, long variety) {
        Random r = new Random(variety);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setPaint(new GradientPaint(0, 0, hsb(r, 0.35f, 0.55f), width, height, hsb(r, 0.5f, 0.25f)));
            g.fillRect(0, 0, width, height);

            double unit = Math.min(width, height);
            double cx = width / 2.0 + (r.nextDouble() - 0.5) * unit * 0.1;
            double faceW = unit * (0.30 + r.nextDouble() * 0.06);
            double faceH = faceW * (1.25 + r.nextDouble() * 0.1);
            double faceTop = height * 0.18;

            g.setColor(hsb(r, 0.6f, 0.4f));
            g.fill(new Ellipse2D.Double(cx - faceW * 1.3, faceTop + faceH * 0.85, faceW * 2.6, faceH * 1.4));
            g.setColor(new Color(Color.HSBtoRGB(0.06f + r.nextFloat() * 0.04f, 0.25f + r.nextFloat() * 0.35f,
                    0.55f + r.nextFloat() * 0.4f)));
            g.fill(new Ellipse2D.Double(cx - faceW / 2, faceTop, faceW, faceH));

            double eyeY = faceTop + faceH * 0.42;
            double eyeW = faceW * 0.16;
            g.setColor(Color.WHITE);
            g.fill(new Ellipse2D.Double(cx - faceW * 0.28, eyeY, eyeW, eyeW * 0.6));
            g.fill(new Ellipse2D.Double(cx + faceW * 0.12, eyeY, eyeW, eyeW * 0.6));
            g.setColor(hsb(r, 0.5f, 0.3f));
            double pupil = eyeW * 0.45;
            g.fill(new Ellipse2D.Double(cx - faceW * 0.28 + (eyeW - pupil) / 2, eyeY + eyeW * 0.07, pupil, pupil));
            g.fill(new Ellipse2D.Double(cx + faceW * 0.12 + (eyeW - pupil) / 2, eyeY + eyeW * 0.07, pupil, pupil));

            g.setColor(new Color(150, 50, 60));
            g.setStroke(new BasicStroke((float) Math.max(1, unit / 150)));
            g.draw(new Arc2D.Double(cx - faceW * 0.18, faceTop + faceH * 0.62, faceW * 0.36, faceH * 0.14, 200, 140,
                    Arc2D.OPEN));
        } finally {
            g.dispose();
        }
        return img;
    }

    private static Color hsb(Random r, float saturation, float brightness) {
        return new Color(Color.HSBtoRGB(r.nextFloat(), saturation + r.nextFloat() * 0.3f,
                brightness + r.nextFloat() * 0.3f));
    }
}
