package dev.talkreel.files;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes that other processes never see half done: the bytes go to a dot-name in the same folder (which no watcher
 * picks up), then one rename puts them in place. The shared volume is the truth, so every write to it goes through here.
 */
public final class AtomicFiles {
    // java.time only, named: finding every module on the class path also loads Joda-Time's (from the OpenAPI parser)
    // and its time-zone data at each start, for types talkreel never writes
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new JavaTimeModule());

    private AtomicFiles() {
    }

    public static void writeJson(Path target, Object value) throws IOException {
        write(target, out -> JSON.writeValue(out, value));
    }

    /** Streams {@code in} to {@code target}; never holds the content in memory. */
    public static long copy(InputStream in, Path target) throws IOException {
        long[] n = new long[1];
        write(target, out -> n[0] = in.transferTo(out));
        return n[0];
    }

    /**
     * Puts a finished file in a second place without touching the first: a hard link when both are on one file
     * system (no bytes copied, whatever the size), a streamed copy otherwise. Artifacts are never changed once
     * written, so sharing the bytes is safe. Only a regular file is published, never a symbolic link (a link could
     * make the published file a door to anything the link names); the target's folder is created when missing.
     */
    public static void publish(Path source, Path target) throws IOException {
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new PathOutsideVolumeException(source + " is not a regular file (a link, a folder or missing): "
                    + "not published");
        }
        Files.createDirectories(target.getParent());
        Path tmp = temp(target);
        try {
            try {
                // link() does not follow links: checked again below, in case source changed since the check above
                Files.createLink(tmp, source);
            } catch (IOException | UnsupportedOperationException notLinkable) {
                try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (!Files.isRegularFile(tmp, LinkOption.NOFOLLOW_LINKS)) {
                throw new PathOutsideVolumeException(source + " turned into something other than a regular file "
                        + "while it was published");
            }
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(Path target, Writer writer) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = temp(target);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // writers (Jackson) close what they write to: closing here only flushes, the channel stays to force
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024) {
                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                };
                writer.write(out);
                out.flush();
                // on the disk before the rename makes it visible: a power cut leaves the old file or the new, never
                // a torn one
                channel.force(true);
            }
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A temporary sibling whose dot-name no watcher or inbox consumer reads. */
    public static Path temp(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
                + ".part");
    }

    /** Renames a finished temporary file (made by {@link #temp}) onto its final name in one step, durably. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncFolder(target.getParent());
    }

    /**
     * Makes a rename or a new entry in {@code folder} durable (fsync of the directory). File systems that cannot sync
     * a directory (some network mounts) refuse to open it for reading: then there is nothing more to do.
     */
    public static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException notSyncable) {
            // the rename itself happened; only its durability across a power cut is the file system's
        }
    }

    /** Writes the content of a file being created. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }
}
