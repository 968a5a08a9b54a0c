package dev.talkreel.emulator;

import dev.talkreel.Settings;
import dev.talkreel.emulator.comfyui.ComfyUiEmulator;
import dev.talkreel.emulator.infinitetalk.InfiniteTalkEmulator;
import dev.talkreel.emulator.vibevoice.VibevoiceEmulator;
import dev.talkreel.emulator.yttools.YttoolsEmulator;
import dev.talkreel.files.PathMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The four emulated services, started together around one emulated GPU. */
public final class Emulators implements AutoCloseable {
    public final GpuMeter gpu = new GpuMeter();
    public final YttoolsEmulator yttools;
    public final VibevoiceEmulator vibevoice;
    public final ComfyUiEmulator comfyui;
    public final InfiniteTalkEmulator infinitetalk;

    private Emulators(Path workDir, PathMap infinitetalkMap, Path infinitetalkOutput) throws Exception {
        Files.createDirectories(workDir);
        Files.createDirectories(infinitetalkOutput);
        yttools = new YttoolsEmulator(gpu, workDir.resolve("yttools"));
        vibevoice = new VibevoiceEmulator(gpu);
        comfyui = new ComfyUiEmulator(gpu, workDir.resolve("comfyui-output"));
        infinitetalk = new InfiniteTalkEmulator(gpu, infinitetalkMap, infinitetalkOutput);
    }

    /**
     * Starts the four emulators on loopback with free ports, for tests and benchmarks. The InfiniteTalk emulator sees
     * {@code sharedDir} as /data/shared and {@code infinitetalkOutput} as /output, as in the seed's docker-compose.
     */
    public static Emulators startOnFreePorts(Path sharedDir, Path infinitetalkOutput, Path workDir) throws Exception {
        Emulators e = new Emulators(workDir, PathMap.parse("/data/shared=" + sharedDir.toAbsolutePath()
                + ",/output=" + infinitetalkOutput.toAbsolutePath()), infinitetalkOutput);
        for (EmulatorServer s : e.all()) {
            s.start("127.0.0.1", 0);
        }
        return e;
    }

    /** Starts the emulators as config/emulators.properties (and its overrides) says. */
    public static Emulators start(Settings settings) throws Exception {
        Path output = Path.of(settings.get("emulator.infinitetalk.output-dir"));
        Emulators e = new Emulators(Path.of(settings.get("emulator.work-dir")),
                PathMap.parse(settings.get("emulator.infinitetalk.path-map")), output);
        String host = settings.get("emulator.host", "127.0.0.1");
        e.configure(e.yttools, settings, "yttools");
        e.configure(e.vibevoice, settings, "vibevoice");
        e.configure(e.comfyui, settings, "comfyui");
        e.configure(e.infinitetalk, settings, "infinitetalk");
        e.yttools.start(host, settings.getInt("emulator.yttools.port", 8456));
        e.vibevoice.start(host, settings.getInt("emulator.vibevoice.port", 8100));
        e.comfyui.start(host, settings.getInt("emulator.comfyui.port", 18188));
        e.infinitetalk.start(host, settings.getInt("emulator.infinitetalk.port", 8200));
        return e;
    }

    private void configure(EmulatorServer server, Settings settings, String name) {
        Map<String, String> own = settings.under("emulator." + name + ".");
        server.behaviour().configure(own);
    }

    public List<EmulatorServer> all() {
        return List.of(yttools, vibevoice, comfyui, infinitetalk);
    }

    /** Clears latencies, faults and call counts of every emulator and the GPU meter. */
    public void reset() {
        for (EmulatorServer s : all()) {
            s.behaviour().reset();
            s.calls().reset();
        }
        gpu.reset();
    }

    @Override
    public void close() {
        for (EmulatorServer s : all()) {
            s.close();
        }
    }
}
