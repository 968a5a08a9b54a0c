package dev.talkreel.bench;

import dev.talkreel.emulator.CallLog;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.emulator.GpuMeter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the one emulated GPU did in a run, from the meter's busy spans and the GPU emulators' work journals: its busy
 * time, the time it stood idle between its first and last step, and the order of the models it ran.
 */
record GpuTimeline(long busyMs, long idleMs, List<String> models) {

    static GpuTimeline of(Emulators emulators) {
        List<GpuMeter.Span> spans = emulators.gpu.busySpans();
        long busy = 0;
        long idle = 0;
        for (int i = 0; i < spans.size(); i++) {
            busy += spans.get(i).endNanos() - spans.get(i).startNanos();
            if (i > 0) {
                idle += Math.max(0, spans.get(i).startNanos() - spans.get(i - 1).endNanos());
            }
        }
        return new GpuTimeline(busy / 1_000_000, idle / 1_000_000, modelOrder(emulators));
    }

    /**
     * The model of each piece of GPU work, in the order it started: each GPU emulator journals its work as it
     * begins (VibeVoice "tts", ComfyUI "execute", InfiniteTalk "generate"), and the GPU gate runs one at a time.
     */
    private static List<String> modelOrder(Emulators emulators) {
        Map<EmulatorServer, String> models = new LinkedHashMap<>();
        models.put(emulators.vibevoice, "vibevoice");
        models.put(emulators.comfyui, "comfyui");
        models.put(emulators.infinitetalk, "infinitetalk");
        List<Map.Entry<CallLog.Work, String>> work = new ArrayList<>();
        models.forEach((server, model) -> server.calls().journal().forEach(w -> work.add(Map.entry(w, model))));
        work.sort(Comparator.comparing(e -> e.getKey().started()));
        return work.stream().map(Map.Entry::getValue).toList();
    }

    /**
     * Model loads of this order on a device where no two models fit at once (32 GB: VibeVoice 18, ComfyUI 20,
     * InfiniteTalk 24): a load each time the model changes, the first one included.
     */
    Map<String, Integer> loadsPerModel() {
        Map<String, Integer> loads = new LinkedHashMap<>();
        String resident = null;
        for (String model : models) {
            if (!model.equals(resident)) {
                loads.merge(model, 1, Integer::sum);
                resident = model;
            }
        }
        return loads;
    }

    int loads() {
        return loadsPerModel().values().stream().mapToInt(Integer::intValue).sum();
    }
}
