package dev.talkreel.api;

import dev.talkreel.files.AtomicFiles;
import dev.talkreel.job.FieldError;
import dev.talkreel.job.JobStore;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox takes regular files only. As the inbox consumer's {@code filter}, this looks at every entry with
 * {@code lstat} (links not followed, nothing opened): a FIFO, a device, a socket, a symbolic link or a directory
 * named {@code *.json} is moved aside to {@code inbox/.failed/} (a link is moved itself, never followed) beside an
 * {@code .error.json} that says what it was, without ever being opened: opening a FIFO blocks until a writer comes,
 * and a link may point at any file of the machine. Regular files are read with {@link #read}: no link followed, at
 * most a given size, within a deadline, on a thread of their own so that a read that hangs never holds the inbox.
 * No file content is ever logged.
 */
public final class InboxFiles implements GenericFileFilter<File> {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.intake");

    private final JobStore jobs;
    private final ExecutorService readers;
    private final long readTimeoutMs;

    /** {@code readers}: the threads that read inbox files (bounded by the caller). */
    public InboxFiles(JobStore jobs, ExecutorService readers, long readTimeoutMs) {
        this.jobs = jobs;
        this.readers = readers;
        this.readTimeoutMs = readTimeoutMs;
    }

    public long readTimeoutMs() {
        return readTimeoutMs;
    }

    /** The file consumer's filter: true for a regular file (the include pattern decides then), false otherwise. */
    @Override
    public boolean accept(GenericFile<File> file) {
        Path path = file.getFile().toPath();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException e) {
            LOG.warn("inbox entry {} cannot be looked at: {}", path.getFileName(), e.toString());
            return false;
        }
        if (attributes.isRegularFile()) {
            return true;
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".json") && !name.startsWith(".")) {
            setAside(path, kind(path, attributes));
        }
        // anything else that is not a regular file is not ours: left alone, and never descended into
        return false;
    }

    /** Moves a non-regular entry to inbox/.failed/ unread, and writes why beside it. */
    private void setAside(Path path, String kind) {
        String name = path.getFileName().toString();
        String kept = keptName(name);
        Path failed = jobs.volume().inbox().resolve(".failed");
        try {
            Files.createDirectories(failed);
            // rename(2): a link is moved itself, a FIFO or device is not opened
            Files.move(path, failed.resolve(kept));
            writeRejection(name, kept, "not a regular file", List.of(new FieldError("file", "is " + kind
                    + "; only regular files are read, so it was moved aside unread")));
            LOG.warn("inbox entry {} is {}: moved to inbox/.failed/{} unread", name, kind, kept);
        } catch (IOException e) {
            LOG.warn("inbox entry {} is {} and could not be moved aside: {}", name, kind, e.toString());
        }
    }

    /** The name a file is kept under in inbox/.done/ or inbox/.failed/: time-stamped, so that names never clash. */
    public String keptName(String name) {
        return jobs.stamp() + "-" + name;
    }

    /** Writes inbox/.failed/&lt;kept&gt;.error.json: which file, where it is kept, and every reason it was refused. */
    public void writeRejection(String name, String kept, String error, List<FieldError> errors) throws IOException {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("file", name);
        file.put("kept_as", "inbox/.failed/" + kept);
        file.put("rejected_at", jobs.now());
        file.put("error", error);
        file.put("errors", errors);
        AtomicFiles.writeJson(jobs.volume().inbox().resolve(".failed").resolve(kept + ".error.json"), file);
    }

    /** What a non-regular entry is, in words. */
    static String kind(Path path, BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (attributes.isDirectory()) {
            return "a directory";
        }
        try {
            int type = ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 0170000;
            switch (type) {
                case 0010000: return "a FIFO (named pipe)";
                case 0020000: return "a character device";
                case 0060000: return "a block device";
                case 0140000: return "a socket";
                default: break;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view here: say it in general
        }
        return "a special file";
    }

    /** A file that could not be read: too slow, or not a regular file after all. */
    public static final class Unreadable extends Exception {
        public Unreadable(String message) {
            super(message);
        }
    }

    /**
     * Reads at most {@code maxBytes} of a regular file, without following a link (a link put there since the filter
     * looked is refused), within the read timeout. The read runs on a reader thread; on timeout it is interrupted
     * (which closes the channel) and the file is reported unreadable.
     */
    public byte[] read(Path path, int maxBytes) throws Unreadable, InterruptedException {
        Future<byte[]> reading = readers.submit(() -> {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("not a regular file");
                }
                try (InputStream in = Channels.newInputStream(ch)) {
                    return in.readNBytes(maxBytes);
                }
            }
        });
        try {
            return reading.get(readTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reading.cancel(true);
            throw new Unreadable("could not be read within " + readTimeoutMs + " ms");
        } catch (ExecutionException e) {
            throw new Unreadable("could not be read: " + (e.getCause() instanceof IOException io
                    && io.getMessage() != null && io.getMessage().contains("symbolic link") ? "it is a symbolic link"
                    : e.getCause().getClass().getSimpleName()));
        }
    }
}
