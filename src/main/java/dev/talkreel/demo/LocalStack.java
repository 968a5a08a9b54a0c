package dev.talkreel.demo;

import dev.talkreel.App;
import dev.talkreel.emulator.Emulators;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The whole of talkreel on one machine: the four emulators on free loopback ports and the orchestrator pointed at
 * them, on a shared volume of its own. Used by the tests and the benchmark; the same routes and settings as
 * production, only the URLs, folders and poll intervals differ.
 */
public final class LocalStack implements AutoCloseable {
    private final Emulators emulators;
    private final Map<String, String> settings;
    private final Path shared;
    private final int apiPort;
    private Main main;

    private LocalStack(Emulators emulators, Main main, Map<String, String> settings, Path shared, int apiPort) {
        this.emulators = emulators;
        this.main = main;
        this.settings = settings;
        this.shared = shared;
        this.apiPort = apiPort;
    }

    /**
     * Starts emulators and orchestrator under {@code root}. {@code overrides} are orchestrator settings applied last
     * (e.g. faster polls); the emulators are returned running so a caller can set latencies and faults.
     */
    public static LocalStack start(Path root, Map<String, String> overrides) throws Exception {
        Emulators emulators = startEmulators(root);
        int port = freePort();
        Map<String, String> settings = orchestratorSettings(root, emulators, port);
        settings.putAll(overrides);
        try {
            return new LocalStack(emulators, orchestrator(settings), settings, root.resolve("shared"), port);
        } catch (Exception e) {
            emulators.close();
            throw e;
        }
    }

    private static Main orchestrator(Map<String, String> settings) throws Exception {
        Main main = App.orchestrator();
        settings.forEach(main::addOverrideProperty);
        main.start();
        return main;
    }

    /** Stops the orchestrator (gracefully) and starts a new one on the same volume, port and settings. */
    public void restartOrchestrator(Runnable whileDown) throws Exception {
        restartOrchestrator(Map.of(), whileDown);
    }

    /** As {@link #restartOrchestrator(Runnable)}, with some settings changed (an operator's fix between two runs). */
    public void restartOrchestrator(Map<String, String> changes, Runnable whileDown) throws Exception {
        main.stop();
        whileDown.run();
        settings.putAll(changes);
        main = orchestrator(settings);
    }

    /** The emulators alone, on free ports, seeing {@code root}/shared as /data/shared. */
    public static Emulators startEmulators(Path root) throws Exception {
        return Emulators.startOnFreePorts(root.resolve("shared"), root.resolve("infinitetalk-output"),
                root.resolve("emulators"));
    }

    /** The settings that point an orchestrator at these emulators and this root, with quick polls. */
    public static Map<String, String> orchestratorSettings(Path root, Emulators emulators, int apiPort) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("talkreel.shared.dir", root.resolve("shared").toString());
        s.put("talkreel.infinitetalk.output.dir", root.resolve("infinitetalk-output").toString());
        s.put("talkreel.http.port", String.valueOf(apiPort));
        s.put("talkreel.yttools.url", emulators.yttools.baseUrl());
        s.put("talkreel.vibevoice.url", emulators.vibevoice.baseUrl());
        s.put("talkreel.comfyui.url", emulators.comfyui.baseUrl());
        s.put("talkreel.infinitetalk.url", emulators.infinitetalk.baseUrl());
        // the raw-WAV TTS service of examples/routes/voice-rawwav.camel.yaml, played by the vibevoice emulator
        s.put("talkreel.rawtts.url", emulators.vibevoice.baseUrl());
        // it is VibeVoice's model on the emulated GPU: the VRAM hand-off makes room for it as for the voice step's
        s.put("talkreel.rawtts.vram-required-gb", "18");
        s.put("talkreel.yttools.poll-interval-ms", "100");
        s.put("talkreel.comfyui.poll-interval-ms", "100");
        s.put("talkreel.watch.poll-ms", "100");
        s.put("talkreel.inbox.poll-ms", "100");
        s.put("talkreel.inbox.read-lock-interval-ms", "200");
        s.put("talkreel.supervise.interval-ms", "500");
        s.put("talkreel.gpu.handoff.interval-ms", "200");
        for (String service : new String[] {"yttools", "vibevoice", "comfyui", "infinitetalk"}) {
            s.put("talkreel." + service + ".retry.initial-delay-ms", "100");
            s.put("talkreel." + service + ".retry.max-delay-ms", "1000");
            s.put("talkreel." + service + ".retry.oom-cooldown-ms", "300");
        }
        return s;
    }

    /**
     * A free port for a server to listen on, below the kernel's ephemeral range (Linux: 32768-60999). A port of that
     * range (what {@code new ServerSocket(0)} gives) may be taken as the local port of any outgoing connection while
     * its server is down, and a restarted orchestrator then met "Address already in use" (RestartChaosIT): a client
     * polling 127.0.0.1:p while nothing listens can even connect to itself (TCP self-connect) and hold p.
     */
    public static int freePort() throws IOException {
        for (int tries = 0; tries < 200; tries++) {
            int port = FIRST_PORT + RANDOM.nextInt(LAST_PORT - FIRST_PORT);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // in use: another one
            }
        }
        throw new IOException("no free port between " + FIRST_PORT + " and " + LAST_PORT);
    }

    private static final int FIRST_PORT = 20000;
    private static final int LAST_PORT = 32000;
    private static final Random RANDOM = new Random();

    public Emulators emulators() {
        return emulators;
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    public Path shared() {
        return shared;
    }

    public String api() {
        return "http://127.0.0.1:" + apiPort;
    }

    @Override
    public void close() throws Exception {
        try {
            main.stop();
        } finally {
            emulators.close();
        }
    }
}
