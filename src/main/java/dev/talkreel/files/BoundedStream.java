package dev.talkreel.files;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A reply read with limits, so that no service can exhaust the heap or hold a step (and its GPU slot) for ever:
 * at most {@code maxBytes}, all of it within {@code deadlineMs}, at least {@code minBytesPerSecond} over every
 * {@code graceMs} window, and not a byte more once its job is cancelled. The HTTP client's read timeout counts per
 * read, so a service trickling one byte a second never trips it; these limits count over the whole transfer.
 *
 * <p>Size is checked on every read. Time, rate and cancellation are checked on every read and also by a watchdog
 * (every {@value #WATCH_MS} ms; the cancellation question at most once a second), which aborts the connection when a
 * limit is hit while a read is blocked: the blocked read then fails at once with the limit's message.
 * Closing before the end aborts the connection too, rather than draining what is left of a huge body.
 */
public final class BoundedStream extends FilterInputStream {
    static final long WATCH_MS = 200;
    private static final long CANCEL_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "transfer-watchdog");
        t.setDaemon(true);
        return t;
    });
    /** Aborts run here, not on the watchdog: an abort that blocks must not hold up the watch over other transfers. */
    private static final ExecutorService ABORTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "transfer-abort");
        t.setDaemon(true);
        return t;
    });

    /** The limits of one transfer; {@code what} names it in messages ("ComfyUI's reply"), keys name the settings. */
    public record Limits(String what, long maxBytes, String maxBytesKey, long deadlineMs, String deadlineKey,
                         long minBytesPerSecond, long graceMs, String minRateKey) {
    }

    /** How to stop the connection under a blocked read (the HTTP client's abort); by default close(). */
    @FunctionalInterface
    public interface Abort {
        void abort() throws IOException;
    }

    private final Limits limits;
    private final BooleanSupplier cancelled;
    private final Abort abort;
    private final long startNanos = System.nanoTime();
    private final ScheduledFuture<?> watch;
    private volatile long count;
    private volatile String failure;
    private long windowStartNanos = startNanos;
    private long windowStartCount;
    private long lastCancelCheck = startNanos;
    private boolean eof;
    private boolean closed;

    public BoundedStream(InputStream in, Limits limits, BooleanSupplier cancelled, Abort abort) {
        super(in);
        this.limits = limits;
        this.cancelled = cancelled == null ? () -> false : cancelled;
        this.abort = abort == null ? in::close : abort;
        this.watch = WATCHDOG.scheduleWithFixedDelay(this::watch, WATCH_MS, WATCH_MS, TimeUnit.MILLISECONDS);
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkFailure();
        if (len == 0) {
            return 0;
        }
        // never read more than one byte past the cap: enough to know it is exceeded
        long room = limits.maxBytes() - count + 1;
        int n;
        try {
            n = super.read(b, off, (int) Math.min(len, Math.max(1, room)));
        } catch (IOException | RuntimeException e) {
            checkFailure();
            throw e;
        }
        if (n < 0) {
            eof = true;
            return n;
        }
        count += n;
        if (count > limits.maxBytes()) {
            fail(limits.what() + " exceeded " + size(limits.maxBytes()) + " (" + limits.maxBytesKey() + ")");
        }
        if (checkTime()) {
            // stop the sender now: whoever closes this later must not wait for the rest of the body
            abortQuietly();
            checkFailure();
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // through read(), so skipped bytes count too
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long left = n;
        while (left > 0) {
            int r = read(buffer, 0, (int) Math.min(left, buffer.length));
            if (r < 0) {
                break;
            }
            left -= r;
        }
        return n - left;
    }

    /** Closes; before the end of the body (a failure, a reply read only in part) the connection is aborted. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        watch.cancel(false);
        if (eof) {
            super.close();
        } else {
            abort.abort();
        }
    }

    private void watch() {
        if (failure != null || closed) {
            watch.cancel(false);
            return;
        }
        try {
            if (failure == null && checkTime()) {
                ABORTS.execute(this::abortQuietly);
            }
        } catch (RuntimeException e) {
            // a failing check must not stop the watchdog for every other transfer
            fail(limits.what() + " was stopped: " + e);
            ABORTS.execute(this::abortQuietly);
        }
    }

    /** Checks deadline, rate and cancellation; records the first limit hit. Returns whether one was hit. */
    private synchronized boolean checkTime() {
        if (failure != null || closed) {
            return failure != null;
        }
        long now = System.nanoTime();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(now - startNanos);
        if (elapsedMs > limits.deadlineMs()) {
            return fail(limits.what() + " took longer than " + seconds(limits.deadlineMs()) + " ("
                    + limits.deadlineKey() + "); " + size(count) + " had arrived");
        }
        long windowMs = TimeUnit.NANOSECONDS.toMillis(now - windowStartNanos);
        if (limits.minBytesPerSecond() > 0 && windowMs >= limits.graceMs()) {
            long bytes = count - windowStartCount;
            if (bytes * 1000 < limits.minBytesPerSecond() * windowMs) {
                return fail(limits.what() + " came at " + bytes * 1000 / Math.max(1, windowMs) + " bytes/s over "
                        + seconds(windowMs) + ", slower than " + limits.minBytesPerSecond() + " bytes/s ("
                        + limits.minRateKey() + ")");
            }
            windowStartNanos = now;
            windowStartCount = count;
        }
        if (now - lastCancelCheck >= CANCEL_CHECK_NANOS) {
            lastCancelCheck = now;
            if (cancelled.getAsBoolean()) {
                return fail("the job was cancelled while " + limits.what() + " was arriving");
            }
        }
        return false;
    }

    private boolean fail(String message) {
        if (failure == null) {
            failure = message;
        }
        return true;
    }

    private void checkFailure() throws TransferLimitException {
        String f = failure;
        if (f != null) {
            throw new TransferLimitException(f);
        }
    }

    private void abortQuietly() {
        try {
            abort.abort();
        } catch (IOException | RuntimeException ignored) {
            // the reader learns of the failure from its read, whatever the abort did
        }
    }

    /** 16 MB, 64 KB, 100 bytes: binary units, as the settings are usually round numbers of them. */
    public static String size(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MB";
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return (bytes >> 10) + " KB";
        }
        return bytes + " bytes";
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
