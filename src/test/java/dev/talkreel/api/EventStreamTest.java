package dev.talkreel.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client that stops reading its event stream is dropped, not buffered for: real Vert.x, a real socket. */
class EventStreamTest {
    private static final int MAX_QUEUED = 64 * 1024;
    private static final String FRAME = "event: step\ndata: \"" + "x".repeat(16 * 1024) + "\"\n\n";
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aClientThatDoesNotReadIsDropped() throws Exception {
        CountDownLatch dropped = new CountDownLatch(1);
        AtomicLong sent = new AtomicLong();
        CompletableFuture<EventStream> opened = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> {
                    request.response().setChunked(true);
                    EventStream stream = new EventStream(request.response(), null, MAX_QUEUED, s -> dropped.countDown());
                    stream.start("retry: 1000\n\n");
                    // one frame a millisecond, on the event loop as Vert.x does its writes
                    vertx.setPeriodic(1, timer -> {
                        if (dropped.getCount() == 0) {
                            vertx.cancelTimer(timer);
                            return;
                        }
                        stream.send(FRAME);
                        sent.addAndGet(FRAME.length());
                    });
                    opened.complete(stream);
                }).listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 5000);
            OutputStream out = client.getOutputStream();
            out.write("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            opened.get(10, TimeUnit.SECONDS);
            // the client never reads: the kernel's buffers fill, then the stream's queue, then it is dropped
            assertTrue(dropped.await(30, TimeUnit.SECONDS), "not dropped after " + sent.get() + " bytes");
            assertTrue(sent.get() < 64L * 1024 * 1024, "dropped after " + sent.get() + " bytes");
            InputStream in = client.getInputStream();
            client.setSoTimeout(10_000);
            long read = 0;
            try {
                for (int n = in.read(new byte[65536]); n >= 0; n = in.read(new byte[65536])) {
                    read += n;
                }
            } catch (SocketException reset) {
                // the server reset the connection: what was read so far is all the client gets
            }
            assertTrue(read < sent.get(), "the connection was closed before all was sent: read " + read + " of "
                    + sent.get());
        }
    }
}
