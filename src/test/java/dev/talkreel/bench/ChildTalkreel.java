package dev.talkreel.bench;

import dev.talkreel.App;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Emulators;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * talkreel as production runs it: its own JVM ({@code java @config/jvm.options ... serve}, the Dockerfile's command) with the
 * stock config/application.properties, pointed at emulators running in the benchmark's JVM. A process of its own so
 * that its resident memory (/proc/&lt;pid&gt;/status VmRSS) and its start-up (process start to
 * /observe/health/ready answering 200) are talkreel's alone, not the emulators' or the benchmark's.
 */
final class ChildTalkreel implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process process;
    private final int port;
    private final long readyMs;

    private ChildTalkreel(Process process, int port, long readyMs) {
        this.process = process;
        this.port = port;
        this.readyMs = readyMs;
    }

    /**
     * Starts talkreel on {@code root}/shared, pointed at {@code emulators}, with the stock settings except the URLs,
     * folders and port, and {@code overrides} on top (system properties override config/ in Camel's placeholders).
     * Returns once it is ready; its output goes to {@code root}/talkreel.log.
     */
    static ChildTalkreel start(Path root, Emulators emulators, Map<String, String> overrides) throws Exception {
        int port = LocalStack.freePort();
        Map<String, String> settings = new LinkedHashMap<>();
        // only where things are: LocalStack's quick polls and retries are not stock
        LocalStack.orchestratorSettings(root, emulators, port).forEach((k, v) -> {
            if (k.endsWith(".url") || k.endsWith(".dir") || k.endsWith(".port")) {
                settings.put(k, v);
            }
        });
        settings.putAll(overrides);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "@config/jvm.options", "-Dorg.bytedeco.javacpp.cachedir=target/javacpp-cache"));
        // JVM options to try against the stock ones, e.g. bench/run.sh with BENCH_CHILD_JVM="-Xmx128m"
        String extra = System.getenv().getOrDefault("BENCH_CHILD_JVM", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), App.class.getName(), "serve"));
        Path log = root.resolve("talkreel.log");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            waitUntilReady(process, port, log);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
        return new ChildTalkreel(process, port, (System.nanoTime() - start) / 1_000_000);
    }

    private static void waitUntilReady(Process process, int port, Path log) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("talkreel exited with " + process.exitValue() + ": "
                        + Files.readString(log));
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the port opens when the routes start
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("talkreel not ready within 2 minutes; see " + log);
    }

    String api() {
        return "http://127.0.0.1:" + port;
    }

    /** Milliseconds from the process start to /observe/health/ready answering 200. */
    long readyMs() {
        return readyMs;
    }

    /** The process's resident memory in MB, from /proc (Linux). */
    double rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /** Stops talkreel gracefully (SIGTERM, camel-main's shutdown), forcibly after 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
