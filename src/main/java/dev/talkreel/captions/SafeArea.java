package dev.talkreel.captions;

/**
 * Where captions may go in a frame of {@code width} x {@code height}: the margins, in pixels, kept clear of what the
 * platform draws over the video. Upright frames (9:16 shorts) keep clear of the bottom 20% (caption, account name,
 * music line) and the right 15% (like, comment, share buttons), 6% on the left and 10% at the top; other frames keep
 * the broadcast title-safe 6% on the sides and 10% at the bottom (player controls), 10% at the top.
 */
public record SafeArea(int left, int top, int right, int bottom) {

    public static SafeArea of(int width, int height) {
        boolean upright = height > width;
        return new SafeArea((int) Math.round(width * 0.06), (int) Math.round(height * 0.10),
                (int) Math.round(width * (upright ? 0.15 : 0.06)), (int) Math.round(height * (upright ? 0.20 : 0.10)));
    }

    /** The width text may take in a frame {@code frameWidth} wide. */
    public int width(int frameWidth) {
        return frameWidth - left - right;
    }
}
