package dev.talkreel.files;

/** A path that would leave the folders talkreel is allowed to touch. Never retried: the same path fails again. */
public class PathOutsideVolumeException extends RuntimeException {
    public PathOutsideVolumeException(String message) {
        super(message);
    }
}
