package dev.talkreel.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level boxes of real MP4 files, with and without +faststart. */
class Mp4AtomsTest {
    @TempDir
    Path dir;

    @Test
    void faststartPutsTheIndexBeforeTheMedia() throws IOException {
        encode("plain.mp4");
        encode("fast.mp4", "-movflags", "+faststart");
        assertFalse(Mp4Atoms.indexFirst(dir.resolve("plain.mp4")), Mp4Atoms.topLevel(dir.resolve("plain.mp4")).toString());
        assertTrue(Mp4Atoms.indexFirst(dir.resolve("fast.mp4")), Mp4Atoms.topLevel(dir.resolve("fast.mp4")).toString());
        assertEquals("ftyp", Mp4Atoms.topLevel(dir.resolve("fast.mp4")).get(0));
    }

    private void encode(String name, String... flags) throws IOException {
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "color=c=gray:size=64x64:rate=25",
                "-frames:v", "10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"));
        args.addAll(List.of(flags));
        args.add(name);
        Ffmpeg.runIn(dir, Duration.ofMinutes(1), args);
    }
}
