package dev.talkreel.bench;

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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Start-up (issue 10, item 5): {@code serve} in a fresh JVM, stock settings, pointed at the four emulators, timed from
 * the process's launch until {@code GET /observe/health/ready} answers 200 and until {@code POST /api/jobs} answers
 * anything but 503 (starting). The jar ({@code target/talkreel.jar}, as a user runs it) when it is built, else the
 * test class path. One start first, not counted (the page cache, as on any machine that ran it once); then the median
 * of {@code runs}, plain and with an AppCDS archive of the classes a start loads (Java 17: made by a training start
 * with {@code -XX:ArchiveClassesAtExit}, as the Dockerfile does).
 * <pre>bench/run.sh startup [runs]</pre>
 */
public final class StartupBenchmark {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** One start: milliseconds from launch to ready (200), and to the API taking jobs (no more 503). */
    public record Start(long readyMs, long acceptingMs) {
    }

    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Files.createTempDirectory("talkreel-startup-bench");
        try (Emulators emulators = LocalStack.startEmulators(root)) {
            List<Start> plain = starts(runs, root, emulators, List.of());
            List<String> image = ChildTalkreel.asTheImage(emulators);
            List<Start> cds = image.isEmpty() ? List.of() : starts(runs, root, emulators, image);
            System.out.printf(Locale.ROOT, "%nstart-up of serve (%s), %d runs, median (min-max):%n", launched(), runs);
            print("plain JVM", plain);
            if (cds.isEmpty()) {
                System.out.println("  with AppCDS: no archive was made");
            } else {
                print("with AppCDS", cds);
            }
        }
    }

    /** The median milliseconds from launch to ready over {@code runs} fresh starts of serve (plain JVM). */
    public static long measure(int runs) throws Exception {
        Path root = Files.createTempDirectory("talkreel-startup-bench");
        try (Emulators emulators = LocalStack.startEmulators(root)) {
            return median(starts(runs, root, emulators, List.of()).stream().map(Start::readyMs).toList());
        }
    }

    private static void print(String name, List<Start> starts) {
        List<Long> ready = starts.stream().map(Start::readyMs).toList();
        List<Long> accepting = starts.stream().map(Start::acceptingMs).toList();
        System.out.printf(Locale.ROOT, "  %-12s ready %5d ms (%d-%d), API takes jobs %5d ms (%d-%d)%n", name + ":",
                median(ready), Collections.min(ready), Collections.max(ready), median(accepting),
                Collections.min(accepting), Collections.max(accepting));
    }

    /** A warm-up start (not counted), then {@code runs} timed ones, each on a volume of its own. */
    private static List<Start> starts(int runs, Path root, Emulators emulators, List<String> jvmOptions)
            throws Exception {
        List<Start> starts = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            Start s = start(root.resolve("run-" + System.nanoTime()), emulators, jvmOptions);
            System.out.printf(Locale.ROOT, "  %s%s: ready %d ms, API takes jobs %d ms%n",
                    jvmOptions.isEmpty() ? "plain" : "AppCDS", i == 0 ? " (warm-up, not counted)" : " #" + i,
                    s.readyMs(), s.acceptingMs());
            if (i > 0) {
                starts.add(s);
            }
        }
        return starts;
    }

    private static Start start(Path dir, Emulators emulators, List<String> jvmOptions) throws Exception {
        Files.createDirectories(dir);
        int port = LocalStack.freePort();
        List<String> command = ChildTalkreel.command(jvmOptions, ChildTalkreel.whereThingsAre(dir, emulators, port));
        Path log = dir.resolve("serve.log");
        long launched = System.nanoTime();
        Process serve = ChildTalkreel.launch(command, log);
        // a benchmark stopped with Ctrl-C leaves no orchestrator behind
        Thread reaper = new Thread(serve::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            long ready = -1;
            long accepting = -1;
            long deadline = launched + DEADLINE.toNanos();
            while ((ready < 0 || accepting < 0) && System.nanoTime() < deadline) {
                if (!serve.isAlive()) {
                    throw new IllegalStateException("serve stopped:\n" + Files.readString(log));
                }
                if (ready < 0 && status(HttpRequest.newBuilder(base.resolve("/observe/health/ready")).GET()) == 200) {
                    ready = (System.nanoTime() - launched) / 1_000_000;
                }
                if (accepting < 0 && accepts(base)) {
                    accepting = (System.nanoTime() - launched) / 1_000_000;
                }
                Thread.sleep(10);
            }
            if (ready < 0 || accepting < 0) {
                throw new IllegalStateException("not ready within " + DEADLINE + ":\n" + Files.readString(log));
            }
            return new Start(ready, accepting);
        } finally {
            serve.destroy();
            if (!serve.waitFor(60, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
    }

    /** POST /api/jobs with an empty object: 400 (refused field by field) once the API takes jobs, 503 before. */
    private static boolean accepts(URI base) {
        int status = status(HttpRequest.newBuilder(base.resolve("/api/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        return status > 0 && status != 503;
    }

    private static int status(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException notListening) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String launched() {
        return ChildTalkreel.jar().map(jar -> "-jar " + jar).orElse("the test class path");
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
