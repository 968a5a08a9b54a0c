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
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * talkreel as production runs it: its own JVM ({@code java @config/jvm.options ... serve}, the Dockerfile's command,
 * with its AppCDS archive and environment) with the stock config/application.properties, pointed at emulators running in the benchmark's JVM. A process of its own so
 * that its resident memory (/proc/&lt;pid&gt;/status VmRSS) and its start-up (process start to
 * /observe/health/ready answering 200) are talkreel's alone, not the emulators' or the benchmark's.
 */
final class ChildTalkreel implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static List<String> archive;
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
     * folders and port, and {@code overrides} on top (system properties override config/ in Camel's placeholders),
     * launched as the Docker image launches it: the jar with the AppCDS archive of a training start
     * ({@link #asTheImage}). Returns once it is ready; its output goes to {@code root}/talkreel.log.
     */
    static ChildTalkreel start(Path root, Emulators emulators, Map<String, String> overrides) throws Exception {
        int port = LocalStack.freePort();
        Map<String, String> settings = whereThingsAre(root, emulators, port);
        settings.putAll(overrides);
        Path log = root.resolve("talkreel.log");
        List<String> command = command(asTheImage(emulators), settings);
        long start = System.nanoTime();
        Process process = launch(command, log);
        try {
            waitUntilReady(process, port, log);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
        return new ChildTalkreel(process, port, (System.nanoTime() - start) / 1_000_000);
    }

    /** Only where the volume, the API and the services are: LocalStack's quick polls and retries are not stock. */
    static Map<String, String> whereThingsAre(Path root, Emulators emulators, int port) {
        Map<String, String> settings = new LinkedHashMap<>();
        LocalStack.orchestratorSettings(root, emulators, port).forEach((k, v) -> {
            if (k.endsWith(".url") || k.endsWith(".dir") || k.endsWith(".port")) {
                settings.put(k, v);
            }
        });
        return settings;
    }

    /**
     * The command that runs serve as the Dockerfile does ({@code java @config/jvm.options [jvmOptions] -jar
     * talkreel.jar serve}; the test class path when no jar is built), with {@code settings} as system properties.
     */
    static List<String> command(List<String> jvmOptions, Map<String, String> settings) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "@config/jvm.options", "-Dorg.bytedeco.javacpp.cachedir=target/javacpp-cache"));
        command.addAll(jvmOptions);
        // JVM options to try against the stock ones, e.g. bench/run.sh with BENCH_CHILD_JVM="-Xmx128m"
        String extra = System.getenv().getOrDefault("BENCH_CHILD_JVM", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(jar().isPresent() ? List.of("-jar", jar().get().toString())
                : List.of("-cp", System.getProperty("java.class.path"), App.class.getName()));
        command.add("serve");
        return command;
    }

    /** Starts {@code command} with the Docker image's environment (MALLOC_ARENA_MAX=2), its output to {@code log}. */
    static Process launch(List<String> command, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        return builder.start();
    }

    /** The jar as a user runs it, when built (bench/run.sh builds it). */
    static Optional<Path> jar() {
        Path jar = Path.of("target", "talkreel.jar");
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /**
     * The JVM options the Docker image adds: its AppCDS archive, made here as the Dockerfile makes it (one training
     * start of serve, stopped once ready, writing the classes it loaded at exit), once per benchmark run. None without
     * a jar (an archive fits one class path) or when the training wrote none.
     */
    static synchronized List<String> asTheImage(Emulators emulators) throws Exception {
        if (archive == null) {
            archive = List.of();
            Path file = Path.of("target", "bench-talkreel.jsa").toAbsolutePath();
            Files.deleteIfExists(file);
            if (jar().isPresent()) {
                Path dir = Files.createTempDirectory("talkreel-cds-training");
                int port = LocalStack.freePort();
                Process training = launch(command(List.of("-XX:ArchiveClassesAtExit=" + file, "-Xlog:cds=off",
                        "-Xlog:cds+dynamic=off"), whereThingsAre(dir, emulators, port)), dir.resolve("talkreel.log"));
                try {
                    waitUntilReady(training, port, dir.resolve("talkreel.log"));
                } finally {
                    new ChildTalkreel(training, port, 0).close();
                }
                BenchJobs.delete(dir);
                if (Files.isRegularFile(file)) {
                    archive = List.of("-XX:SharedArchiveFile=" + file);
                }
            }
            System.out.println("talkreel launched as the Docker image does: " + (jar().isPresent() ? "the jar" : "the"
                    + " test class path (no jar built)") + (archive.isEmpty() ? ", no AppCDS archive" : ", with an "
                    + "AppCDS archive of a training start"));
        }
        return archive;
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
