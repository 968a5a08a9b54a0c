package dev.talkreel.media;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;

/**
 * The ffmpeg and ffprobe programs that ship inside the org.bytedeco:ffmpeg Maven artifact (the -gpl build, which has
 * libx264 like InfiniteTalk's own output). JavaCPP extracts them once to its cache folder
 * ({@code -Dorg.bytedeco.javacpp.cachedir=...} moves it); nothing is installed on the machine.
 */
public final class Ffmpeg {
    /** nice(1), where the machine has it (every Linux and macOS; not Windows). */
    private static final Optional<Path> NICE = Stream.of("/usr/bin/nice", "/bin/nice").map(Path::of)
            .filter(Files::isExecutable).findFirst();
    private static volatile Path ffmpeg;
    private static volatile Path ffprobe;

    private Ffmpeg() {
    }

    public static Path ffmpegPath() {
        locate();
        return ffmpeg;
    }

    public static Path ffprobePath() {
        locate();
        return ffprobe;
    }

    private static synchronized void locate() {
        if (ffmpeg != null) {
            return;
        }
        if (System.getProperty("org.bytedeco.javacpp.platform.extension") == null) {
            System.setProperty("org.bytedeco.javacpp.platform.extension", "-gpl");
        }
        ffprobe = Path.of(Loader.load(org.bytedeco.ffmpeg.ffprobe.class));
        ffmpeg = Path.of(Loader.load(org.bytedeco.ffmpeg.ffmpeg.class));
    }

    /** Runs ffmpeg with {@code args} (quiet, overwriting), failing with its own error text. */
    public static void run(Duration timeout, String... args) throws IOException {
        runIn(null, timeout, List.of(args));
    }

    /** Runs ffmpeg with {@code args} in the folder {@code dir} (null: ours), as {@link #run}; YAML-friendly: a list. */
    public static void runIn(Path dir, Duration timeout, List<String> args) throws IOException {
        runIn(dir, timeout, args, 0);
    }

    /**
     * As {@link #runIn(Path, Duration, List)}, at CPU priority {@code nice} (1-19 as nice(1) counts them: lower
     * priority; 0, or no nice program on the machine: normal priority).
     */
    public static void runIn(Path dir, Duration timeout, List<String> args, int nice) throws IOException {
        List<String> command = new ArrayList<>(List.of(ffmpegPath().toString(), "-hide_banner", "-loglevel", "error",
                "-nostdin", "-y"));
        command.addAll(args);
        exec(command, timeout, dir, false, nice);
    }

    /**
     * Runs ffmpeg with {@code args} in {@code dir} at log level info and returns what it wrote to stderr: where its
     * measuring filters (loudnorm, ebur128, silencedetect) print their results.
     */
    public static String report(Path dir, Duration timeout, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ffmpegPath().toString(), "-hide_banner", "-nostats",
                "-loglevel", "info", "-nostdin", "-y"));
        command.addAll(args);
        return exec(command, timeout, dir, true, 0);
    }

    static String exec(List<String> command, Duration timeout) throws IOException {
        return exec(command, timeout, null, false, 0);
    }

    /**
     * Runs a program (in {@code dir}, when given) and returns its standard output, or its stderr when
     * {@code wantStderr}; the tail of stderr is kept for the error message. Started through nice(1) when {@code nice}
     * is above 0 and the machine has it (nice replaces itself with the program: the process is the program's).
     */
    private static String exec(List<String> command, Duration timeout, Path dir, boolean wantStderr, int nice)
            throws IOException {
        Path err = Files.createTempFile("ffmpeg", ".err");
        Path out = Files.createTempFile("ffmpeg", ".out");
        List<String> started = command;
        if (nice > 0 && NICE.isPresent()) {
            started = new ArrayList<>(List.of(NICE.get().toString(), "-n", String.valueOf(nice)));
            started.addAll(command);
        }
        try {
            Process p = new ProcessBuilder(started).directory(dir == null ? null : dir.toFile())
                    .redirectError(err.toFile()).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(command.get(0) + " interrupted", e);
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException(Path.of(command.get(0)).getFileName() + " took longer than " + timeout);
            }
            if (p.exitValue() != 0) {
                String text = Files.readString(err, StandardCharsets.UTF_8).trim();
                throw new IOException(Path.of(command.get(0)).getFileName() + " failed (exit " + p.exitValue() + "): "
                        + (text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text));
            }
            return Files.readString(wantStderr ? err : out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
            Files.deleteIfExists(out);
        }
    }
}
