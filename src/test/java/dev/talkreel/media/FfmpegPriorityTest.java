package dev.talkreel.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The final encode runs below normal CPU priority (talkreel.finish.nice): the ffmpeg process itself, found among this
 * JVM's children while it runs, has the niceness asked for; without one it has this JVM's.
 */
class FfmpegPriorityTest {
    @TempDir
    Path dir;

    @Test
    void ffmpegRunsAtTheNicenessAskedFor() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "reads niceness from /proc (Linux)");
        int own = niceness(ProcessHandle.current().pid());
        assertEquals(Math.min(19, own + 10), nicenessOfAnFfmpegRun(10));
        assertEquals(own, nicenessOfAnFfmpegRun(0));
    }

    /** Starts an ffmpeg that runs about 2 s (real-time input) and reads its niceness while it runs. */
    private int nicenessOfAnFfmpegRun(int nice) throws Exception {
        Path ffmpeg = Ffmpeg.ffmpegPath();
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                Ffmpeg.runIn(dir, Duration.ofSeconds(30), List.of("-re", "-f", "lavfi", "-i",
                        "anullsrc=r=8000:cl=mono", "-t", "2", "-f", "null", "-"), nice);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                Optional<ProcessHandle> child = ProcessHandle.current().children()
                        .filter(p -> p.info().command().map(c -> Path.of(c).equals(ffmpeg)).orElse(false))
                        .findFirst();
                if (child.isPresent()) {
                    return niceness(child.get().pid());
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no ffmpeg child seen within 10 s");
        } finally {
            run.get(30, TimeUnit.SECONDS);
        }
    }

    /** Field 19 of /proc/<pid>/stat, counted after the command name (which may hold spaces). */
    private static int niceness(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }
}
