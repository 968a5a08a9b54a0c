package dev.talkreel.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.emulator.yttools.YttoolsEmulator;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hostile faults (huge, trickle, redirect) over real HTTP, planned from code, settings and /_emulator/behaviour. */
class HostileFaultsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    @TempDir
    static Path workDir;
    private static YttoolsEmulator emulator;

    @BeforeAll
    static void start() {
        emulator = new YttoolsEmulator(new GpuMeter(), workDir);
        emulator.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @BeforeEach
    void reset() {
        emulator.behaviour().reset();
    }

    @Test
    void settingsReadAmountsAndCounts() {
        Behaviour b = new Behaviour();
        b.configure(Map.of("fault.status", "huge:2g:2", "fault.audio", "trickle:1", "fault.download", "redirect"));
        assertEquals(new Behaviour.Planned(Fault.HUGE, 2L << 30), b.takePlanned("status"));
        assertEquals(new Behaviour.Planned(Fault.HUGE, 2L << 30), b.takePlanned("status"));
        assertNull(b.takePlanned("status"));
        assertEquals(new Behaviour.Planned(Fault.TRICKLE, 1), b.takePlanned("audio"));
        assertEquals(Fault.REDIRECT, b.takeFault("download"));
        assertThrows(IllegalArgumentException.class, () -> b.configure(Map.of("fault.status", "huge")));
    }

    /** 3 GB announced and streamed; the client reads the start and hangs up, and nothing was held in memory. */
    @Test
    void aHugeReplyStreamsAValidLookingJsonPrefix() throws Exception {
        HttpResponse<String> set = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/_emulator/behaviour"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"fault\": {\"status\": \"huge:3g\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, set.statusCode(), set.body());

        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/api/status/x"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            assertEquals(200, r.statusCode());
            assertEquals(String.valueOf(3L << 30), r.headers().firstValue("Content-Length").orElse(""));
            String start = new String(body.readNBytes(1 << 20), StandardCharsets.UTF_8);
            assertTrue(start.startsWith("{\"status\": \"processing\", \"padding\": \"AAAA"), start.substring(0, 60));
        }
    }

    @Test
    void aTrickleSendsTheTrueReplySlowly() throws Exception {
        emulator.behaviour().failNext("health", Fault.TRICKLE, 10, 1);
        long started = System.nanoTime();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/api/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertEquals("{\"status\":\"healthy\"}", r.body().replace(" ", ""));
        assertTrue(ms >= 1500, "20 bytes at 10 bytes/s took " + ms + " ms");
    }

    @Test
    void aRedirectNamesAnotherPathOfTheSameServer() throws Exception {
        emulator.behaviour().failNext("health", Fault.REDIRECT, 1);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/api/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, r.statusCode());
        assertEquals(emulator.baseUrl() + "/moved/api/health", r.headers().firstValue("Location").orElse(""));
    }
}
