package dev.talkreel.emulator;

import dev.talkreel.Settings;
import dev.talkreel.emulator.comfyui.ComfyUiEmulator;
import dev.talkreel.emulator.infinitetalk.InfiniteTalkEmulator;
import dev.talkreel.emulator.vibevoice.VibevoiceEmulator;
import dev.talkreel.emulator.yttools.YttoolsEmulator;
import dev.talkreel.files.PathMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The four emulated services, started together around one emulated GPU: a 32 GB device (emulator.gpu.vram-gb) on which
 * VibeVoice, ComfyUI and InfiniteTalk load their models on first use and keep them (GpuMeter).
 */
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
        e.gpu.setCapacityGb(Double.parseDouble(settings.get("emulator.gpu.vram-gb", "32").trim()));
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
        configureModel(server, own);
    }

    /**
     * The service's model on the emulated GPU: model-vram-gb (what a call needs), idle-vram-gb (what stays between
     * calls when less: InfiniteTalk), model-load-ms; a setting left out keeps the emulator's own default.
     */
    static void configureModel(EmulatorServer server, Map<String, String> own) {
        String vram = own.get("model-vram-gb");
        String idle = own.get("idle-vram-gb");
        String load = own.get("model-load-ms");
        double working = isSet(vram) ? Double.parseDouble(vram.trim()) : server.workingGb();
        // a service that keeps less than it works with (InfiniteTalk) keeps its idle share; the others what they load
        double resident = isSet(idle) ? Double.parseDouble(idle.trim())
                : server.residentGb() < server.workingGb() ? server.residentGb() : working;
        server.model(resident, working, isSet(load) ? Duration.ofMillis(Long.parseLong(load.trim())) : server.modelLoad());
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
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
