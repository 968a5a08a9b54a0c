package dev.talkreel.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets the emulators reuse a render they already made from the same inputs, for load tests that run hundreds of jobs
 * on a CI machine. Off by default (every render is a real ffmpeg encode). When on, the output of a render is kept under
 * a key made of everything that determines it (durations, sizes, formats, and the bytes of the input media), and the
 * next render with the same key is a copy of it: still a real, complete file written to the target each time, only
 * not encoded again. Turned on with {@link #enable(boolean)} or {@code -Demulator.reuse-renders=true}.
 */
public final class RenderCache {
    private static volatile boolean enabled = Boolean.getBoolean("emulator.reuse-renders");
    private static final AtomicInteger HITS = new AtomicInteger();
    private static final AtomicInteger RENDERS = new AtomicInteger();
    private static volatile Path dir;

    /** Writes the output to the target. */
    @FunctionalInterface
    public interface Render {
        void to(Path target) throws IOException;
    }

    private RenderCache() {
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Renders into {@code target}, or copies the earlier render of the same {@code key} when reuse is on. */
    public static void render(String kind, String key, Path target, Render render) throws IOException {
        if (!enabled) {
            RENDERS.incrementAndGet();
            render.to(target);
            return;
        }
        Path kept = folder().resolve(kind + "-" + sha256(key.getBytes(StandardCharsets.UTF_8)));
        if (Files.isRegularFile(kept)) {
            HITS.incrementAndGet();
            Files.copy(kept, target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        RENDERS.incrementAndGet();
        render.to(target);
        Path part = Files.createTempFile(folder(), kind, ".part");
        Files.copy(target, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        kept.toFile().deleteOnExit();
    }

    /** The SHA-256 of a file's bytes, to put its content into a key. */
    public static String digest(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }

    /** The SHA-256 of some bytes, to put them into a key. */
    public static String digest(byte[] bytes) {
        return sha256(bytes);
    }

    /** Renders reused since start. */
    public static int hits() {
        return HITS.get();
    }

    /** Renders really made (ffmpeg runs) since start. */
    public static int renders() {
        return RENDERS.get();
    }

    private static Path folder() throws IOException {
        Path d = dir;
        if (d == null) {
            synchronized (RenderCache.class) {
                if (dir == null) {
                    dir = Files.createTempDirectory("talkreel-render-cache");
                    dir.toFile().deleteOnExit();
                }
                d = dir;
            }
        }
        return d;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
