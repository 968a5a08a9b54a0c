package dev.talkreel.finish;

/**
 * Where a finished video is posted: its frame size ({@code width} x {@code height}; 0 x 0 keeps InfiniteTalk's own
 * size) and the portrait size asked of ComfyUI, whose orientation decides InfiniteTalk's size bucket.
 */
public record OutputProfile(String name, int width, int height, int portraitWidth, int portraitHeight) {

    /** True when the video keeps the size InfiniteTalk rendered (the landscape profile). */
    public boolean nativeSize() {
        return width == 0 && height == 0;
    }
}
