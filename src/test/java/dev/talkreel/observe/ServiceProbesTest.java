package dev.talkreel.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.talkreel.demo.LocalStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Readiness probes: any HTTP answer is reachable; refused or silent is not; bounded in time; kept a while. */
class ServiceProbesTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Test
    void aServiceThatAnswersIsReachableOneRefusedOrSilentIsNotAndTheProbeIsBoundedAndKept() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer up = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        up.createContext("/", exchange -> {
            calls.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        up.start();
        // accepts connections (backlog) but never answers
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<String, URI> services = new LinkedHashMap<>();
            services.put("up", URI.create("http://127.0.0.1:" + up.getAddress().getPort()));
            services.put("refused", URI.create("http://127.0.0.1:" + LocalStack.freePort()));
            services.put("silent", URI.create("http://127.0.0.1:" + silent.getLocalPort()));
            Instant[] now = {Instant.parse("2026-11-25T10:00:00Z")};
            Clock clock = new Clock() {
                @Override
                public ZoneOffset getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now[0];
                }
            };
            ServiceProbes probes = new ServiceProbes(() -> services, TIMEOUT, Duration.ofSeconds(5), clock);

            long start = System.nanoTime();
            Map<String, ServiceProbes.Probe> first = probes.probe();
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertTrue(first.get("up").reachable(), first.toString());
            assertEquals("HTTP 404", first.get("up").detail());
            assertFalse(first.get("refused").reachable(), first.toString());
            assertFalse(first.get("silent").reachable(), first.toString());
            // all at once, each within its bound: not three timeouts one after the other
            assertTrue(tookMs < 3 * TIMEOUT.toMillis(), "probed in " + tookMs + " ms");
            assertEquals(1, calls.get());

            now[0] = now[0].plusSeconds(4);
            assertEquals(first, probes.probe(), "kept for cache-ms");
            assertEquals(1, calls.get(), "no probe while kept");
            now[0] = now[0].plusSeconds(2);
            probes.probe();
            assertEquals(2, calls.get(), "probed again once the answer is older than cache-ms");
        } finally {
            up.stop(0);
        }
    }
}
