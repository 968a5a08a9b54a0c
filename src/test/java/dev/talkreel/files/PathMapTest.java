package dev.talkreel.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths a service names are resolved with links followed, on real files and real symbolic links. */
class PathMapTest {
    @TempDir
    Path root;
    Path shared;
    Path output;
    Path outside;
    PathMap map;

    @BeforeEach
    void folders() throws Exception {
        shared = Files.createDirectories(root.resolve("shared"));
        output = Files.createDirectories(root.resolve("output"));
        outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("secret.mp4"), "not yours");
        map = PathMap.parse("/data/shared=" + shared + ",/output=" + output);
    }

    @Test
    void aFileInsideAMappedFolderIsItsRealPath() throws Exception {
        Path video = Files.writeString(output.resolve("video.mp4"), "v");
        assertEquals(video.toRealPath(), map.toLocal("/output/video.mp4"));
    }

    @Test
    void aSymlinkLeadingOutsideIsRefused() throws Exception {
        Files.createSymbolicLink(output.resolve("evil.mp4"), outside.resolve("secret.mp4"));
        PathOutsideVolumeException e = assertThrows(PathOutsideVolumeException.class,
                () -> map.toLocal("/output/evil.mp4"));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void aSymlinkedFolderLeadingOutsideIsRefusedForEverythingUnderIt() throws Exception {
        Files.createSymbolicLink(output.resolve("sub"), outside);
        assertThrows(PathOutsideVolumeException.class, () -> map.toLocal("/output/sub/secret.mp4"));
        assertThrows(PathOutsideVolumeException.class, () -> map.toLocal("/output/sub/not-there.mp4"));
    }

    @Test
    void aSymlinkToAnotherFileInsideIsFollowed() throws Exception {
        Path real = Files.writeString(shared.resolve("real.wav"), "w");
        Files.createSymbolicLink(output.resolve("alias.wav"), real);
        assertEquals(real.toRealPath(), map.toLocal("/output/alias.wav"));
    }

    @Test
    void aMappedFolderThatIsItselfALinkStillHoldsItsFiles() throws Exception {
        Path elsewhere = Files.createDirectories(root.resolve("disk2/output"));
        Path linked = Files.createSymbolicLink(root.resolve("linked-output"), elsewhere);
        Files.writeString(elsewhere.resolve("v.mp4"), "v");
        PathMap viaLink = PathMap.parse("/output=" + linked);
        assertEquals(elsewhere.resolve("v.mp4").toRealPath(), viaLink.toLocal("/output/v.mp4"));
    }

    @Test
    void dotDotAndUnmappedPathsAreRefused() {
        assertThrows(PathOutsideVolumeException.class, () -> map.toLocal("/output/../etc/passwd"));
        assertThrows(PathOutsideVolumeException.class, () -> map.toLocal("/etc/passwd"));
        assertThrows(PathOutsideVolumeException.class, () -> map.toLocal(""));
    }

    @Test
    void aMissingFileIsNamedSoTheCallerCanSaySo() {
        Path local = map.toLocal("/output/not-yet.mp4");
        assertEquals("not-yet.mp4", local.getFileName().toString());
        assertFalse(Files.exists(local));
    }

    @Test
    void publishRefusesALinkAndCreatesTheTargetFolder() throws Exception {
        Path link = Files.createSymbolicLink(output.resolve("evil.mp4"), outside.resolve("secret.mp4"));
        Path target = root.resolve("outbox-gone/job.mp4");
        assertThrows(PathOutsideVolumeException.class, () -> AtomicFiles.publish(link, target));
        assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));

        Path video = Files.writeString(output.resolve("video.mp4"), "frames");
        AtomicFiles.publish(video, target);
        assertTrue(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS));
        assertEquals("frames", Files.readString(target));
    }
}
