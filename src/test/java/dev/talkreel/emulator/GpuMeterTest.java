package dev.talkreel.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.emulator.infinitetalk.InfiniteTalkEmulator;
import dev.talkreel.emulator.vibevoice.VibevoiceEmulator;
import dev.talkreel.files.PathMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The emulated device's memory: models loaded on first use and kept, no room beyond the capacity, unloads. */
class GpuMeterTest {
    private static final long GB = 1L << 30;

    @Test
    void modelsStayLoadedAndTheThirdDoesNotFitBesideThem() {
        GpuMeter gpu = new GpuMeter(32);
        assertEquals(GpuMeter.Load.LOADED, gpu.load("comfyui", 20 * GB));
        assertEquals(GpuMeter.Load.RESIDENT, gpu.load("comfyui", 20 * GB), "kept after a call: no second load");
        assertEquals(GpuMeter.Load.NO_ROOM, gpu.load("vibevoice-api", 18 * GB), "20 + 18 GB on a 32 GB card");
        assertFalse(gpu.hasModel("vibevoice-api"));
        assertEquals(12 * GB, gpu.free(), "a refused load takes nothing");
        assertEquals(1, gpu.refusals());

        assertTrue(gpu.unload("comfyui"));
        assertFalse(gpu.unload("comfyui"), "nothing left to unload");
        assertEquals(GpuMeter.Load.LOADED, gpu.load("vibevoice-api", 18 * GB));
        assertEquals(2, gpu.loads());
        assertEquals(1, gpu.loads("comfyui"));
        assertEquals(1, gpu.unloads());
        assertEquals(20 * GB, gpu.peakUsed());
        assertEquals(Map.of("vibevoice-api", 18 * GB), gpu.holders());
    }

    @Test
    void infiniteTalkGrowsForAVideoAndShrinksToItsIdleShareAfter() {
        GpuMeter gpu = new GpuMeter(32);
        assertEquals(GpuMeter.Load.LOADED, gpu.load("infinitetalk-api", 2 * GB));
        assertEquals(GpuMeter.Load.LOADED, gpu.load("vibevoice-api", 18 * GB));
        assertFalse(gpu.use("infinitetalk-api", 24 * GB), "2 + 18 GB held: 24 GB for a video do not fit");
        assertEquals(2 * GB, gpu.held("infinitetalk-api"));
        gpu.unload("vibevoice-api");
        assertTrue(gpu.use("infinitetalk-api", 24 * GB));
        assertTrue(gpu.use("infinitetalk-api", 2 * GB), "empty_cache after the video");
        assertEquals(30 * GB, gpu.free());
        assertEquals(24 * GB, gpu.peakUsed());
        assertEquals(2, gpu.loads(), "growing for a video is no model load");
    }

    @Test
    void eachModelSettingChangesOnlyItself() {
        InfiniteTalkEmulator talk = new InfiniteTalkEmulator(new GpuMeter(), PathMap.parse("/output=/tmp"), Path.of("out"));
        Emulators.configureModel(talk, Map.of("model-load-ms", "4000"));
        assertEquals(24, talk.workingGb());
        assertEquals(2, talk.residentGb(), "idle between videos");
        assertEquals(Duration.ofSeconds(4), talk.modelLoad());
        Emulators.configureModel(talk, Map.of("model-vram-gb", "30"));
        assertEquals(30, talk.workingGb());
        assertEquals(2, talk.residentGb());
        assertEquals(Duration.ofSeconds(4), talk.modelLoad());

        VibevoiceEmulator voice = new VibevoiceEmulator(new GpuMeter());
        Emulators.configureModel(voice, Map.of("model-vram-gb", "7"));
        assertEquals(7, voice.residentGb(), "a model that stays as loaded");
        assertEquals(7, voice.workingGb());
    }

    @Test
    void resetClearsTheCountersNotTheDevice() {
        GpuMeter gpu = new GpuMeter(32);
        gpu.load("comfyui", 20 * GB);
        gpu.enter("comfyui");
        gpu.exit();
        gpu.reset();
        assertEquals(0, gpu.loads());
        assertEquals(0, gpu.runs());
        assertEquals(20 * GB, gpu.peakUsed(), "what is held counts from the start");
        assertTrue(gpu.hasModel("comfyui"));
    }
}
