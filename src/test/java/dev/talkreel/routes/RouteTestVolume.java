package dev.talkreel.routes;

import dev.talkreel.demo.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fresh shared volume and API port for a {@code @CamelMainTest} class, with quick polls and retries. The
 * annotation takes constant settings only, so these go in as JVM system properties, which Camel's property
 * placeholders rank above config/application.properties; {@link #close} takes them out again.
 */
final class RouteTestVolume implements AutoCloseable {
    private final Path root;
    private final int port;
    private final Map<String, String> settings = new LinkedHashMap<>();

    private RouteTestVolume(Path root, int port) throws IOException {
        this.root = root;
        this.port = port;
        settings.put("talkreel.shared.dir", shared().toString());
        settings.put("talkreel.infinitetalk.output.dir", infinitetalkOutput().toString());
        settings.put("talkreel.http.port", String.valueOf(port));
        for (String quick : new String[] {"talkreel.yttools.poll-interval-ms", "talkreel.comfyui.poll-interval-ms",
                "talkreel.watch.poll-ms", "talkreel.inbox.poll-ms", "talkreel.inbox.read-lock-interval-ms"}) {
            settings.put(quick, "50");
        }
        for (String service : new String[] {"yttools", "vibevoice", "comfyui", "infinitetalk"}) {
            settings.put("talkreel." + service + ".retry.initial-delay-ms", "20");
            settings.put("talkreel." + service + ".retry.max-delay-ms", "100");
            settings.put("talkreel." + service + ".retry.oom-cooldown-ms", "50");
            // the HTTP calls are answered by recorded replies, but ComfyUI's websocket and the readiness probes are
            // real: a port just freed, not the stock one, where a ComfyUI (or an emulator) may be listening on the
            // machine and would hold each portrait to the websocket's 30 s safety poll
            settings.put("talkreel." + service + ".url", "http://127.0.0.1:" + LocalStack.freePort());
        }
        // the tiny fixture video finished at its own size: the route tests check the steps' wiring in seconds,
        // FinishIT measures each profile's frame
        settings.put("talkreel.output.profile", "landscape");
        settings.forEach(System::setProperty);
    }

    static RouteTestVolume create() {
        try {
            return new RouteTestVolume(Files.createTempDirectory("talkreel-routes"), LocalStack.freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path root() {
        return root;
    }

    Path shared() {
        return root.resolve("shared");
    }

    Path infinitetalkOutput() {
        return root.resolve("infinitetalk-output");
    }

    String api() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        settings.keySet().forEach(System::clearProperty);
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
