package dev.talkreel.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The limits of one transfer, on real streams: size, whole-transfer deadline, minimum rate, cancellation. */
class BoundedStreamTest {

    private static BoundedStream.Limits limits(long maxBytes, long deadlineMs, long minRate, long graceMs) {
        return new BoundedStream.Limits("the service's reply", maxBytes, "talkreel.x.max-reply-bytes", deadlineMs,
                "talkreel.x.transfer-deadline-ms", minRate, graceMs, "talkreel.x.min-bytes-per-second");
    }

    /** An endless stream of 'A's, made as it is read: never in memory. */
    private static InputStream endless() {
        return new InputStream() {
            @Override
            public int read() {
                return 'A';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 'A');
                return len;
            }
        };
    }

    /** {@code bytesPerSecond} of 'A's, one byte at a time. */
    private static InputStream trickle(long bytesPerSecond) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    Thread.sleep(1000 / bytesPerSecond); // a slow service's rate, not a wait
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return 'A';
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                b[off] = (byte) read();
                return 1;
            }
        };
    }

    @Test
    void aReplyWithinItsLimitsIsReadWhole() throws IOException {
        byte[] body = "{\"status\": \"processing\"}".getBytes();
        AtomicBoolean aborted = new AtomicBoolean();
        try (BoundedStream in = new BoundedStream(new ByteArrayInputStream(body), limits(body.length, 5000, 1, 1000),
                null, () -> aborted.set(true))) {
            assertArrayEquals(body, in.readAllBytes());
        }
        assertFalse(aborted.get(), "a reply read to its end is closed, not aborted");
    }

    @Test
    void aReplyOverItsCapFailsNamingTheCapAndItsSettingWithoutReadingMore() throws IOException {
        AtomicBoolean aborted = new AtomicBoolean();
        long started = System.nanoTime();
        BoundedStream in = new BoundedStream(endless(), limits(1 << 20, 60_000, 0, 1000), null, () -> aborted.set(true));
        TransferLimitException e = assertThrows(TransferLimitException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        System.out.printf("bounded stream: cap of 1 MB hit after %d bytes, %d ms%n", in.count(),
                (System.nanoTime() - started) / 1_000_000);
        assertEquals("the service's reply exceeded 1 MB (talkreel.x.max-reply-bytes)", e.getMessage());
        assertEquals((1 << 20) + 1, in.count(), "reads stop one byte past the cap");
        assertTrue(aborted.get(), "the connection is dropped at once, not drained");
        assertThrows(TransferLimitException.class, in::read, "and it stays failed");
    }

    @Test
    void aTrickleFailsAtItsWholeTransferDeadline() {
        long started = System.nanoTime();
        BoundedStream in = new BoundedStream(trickle(20), limits(1 << 20, 700, 0, 60_000), null, () -> { });
        TransferLimitException e = assertThrows(TransferLimitException.class, in::readAllBytes);
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("bounded stream: 20 bytes/s against a 0.7 s deadline failed after %d ms: %s%n", ms, e.getMessage());
        assertTrue(e.getMessage().startsWith("the service's reply took longer than 0.7 s (talkreel.x.transfer-deadline-ms)"),
                e.getMessage());
        assertTrue(ms >= 700 && ms < 1500, ms + " ms");
    }

    @Test
    void aReplySlowerThanTheMinimumRateFailsAfterTheGracePeriod() {
        long started = System.nanoTime();
        BoundedStream in = new BoundedStream(trickle(20), limits(1 << 20, 60_000, 1000, 600), null, () -> { });
        TransferLimitException e = assertThrows(TransferLimitException.class, in::readAllBytes);
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("bounded stream: 20 bytes/s against a minimum of 1000 bytes/s failed after %d ms: %s%n", ms,
                e.getMessage());
        assertTrue(e.getMessage().contains("slower than 1000 bytes/s (talkreel.x.min-bytes-per-second)"), e.getMessage());
        assertTrue(ms >= 600 && ms < 1500, ms + " ms");
    }

    @Test
    void aFastReplyPassesTheMinimumRate() throws IOException {
        byte[] body = new byte[5_000_000];
        try (BoundedStream in = new BoundedStream(new ByteArrayInputStream(body), limits(body.length, 60_000, 1000, 1),
                null, () -> { })) {
            assertEquals(body.length, in.readAllBytes().length);
        }
    }

    @Test
    void aCancelledJobStopsItsTransferWithinAboutASecond() throws Exception {
        AtomicBoolean cancelled = new AtomicBoolean();
        BoundedStream in = new BoundedStream(trickle(10), limits(1 << 20, 60_000, 0, 60_000), cancelled::get, () -> { });
        long started = System.nanoTime();
        // the operator's DELETE, 300 ms into the transfer
        CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> cancelled.set(true));
        TransferLimitException e = assertThrows(TransferLimitException.class, in::readAllBytes);
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("bounded stream: cancelled at 300 ms, stopped after %d ms%n", ms);
        assertEquals("the job was cancelled while the service's reply was arriving", e.getMessage());
        assertTrue(ms < 1600, ms + " ms");
    }

    /** A read blocked on a socket that never sends: the watchdog aborts the connection at the deadline. */
    @Test
    void aReadBlockedOnASilentServerEndsAtTheDeadline() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket silent = server.accept()) {
            long started = System.nanoTime();
            BoundedStream in = new BoundedStream(client.getInputStream(), limits(1 << 20, 800, 0, 60_000), null,
                    client::close);
            TransferLimitException e = assertThrows(TransferLimitException.class, in::read);
            long ms = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("bounded stream: a read blocked on a silent socket ended after %d ms (deadline 800)%n", ms);
            assertTrue(e.getMessage().contains("took longer than 0.8 s"), e.getMessage());
            assertTrue(ms >= 800 && ms < 1500, ms + " ms");
            assertTrue(client.isClosed());
        }
    }

    @Test
    void sizesReadAsPeopleWriteThem() {
        assertEquals("16 MB", BoundedStream.size(16L << 20));
        assertEquals("2 GB", BoundedStream.size(2L << 30));
        assertEquals("64 KB", BoundedStream.size(64 << 10));
        assertEquals("100 bytes", BoundedStream.size(100));
    }
}
