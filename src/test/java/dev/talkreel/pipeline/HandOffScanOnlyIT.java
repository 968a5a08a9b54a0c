package dev.talkreel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.RunningStack;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HandOffIT's job with talkreel.watch.in-process and talkreel.yttools.adaptive-poll off: every hand-off waits for a
 * folder scan (every 5 s) and the cut for the next 3 s poll. The job still flows, each step once: the scans are the
 * path that starts steps, the wake only brings them forward.
 */
class HandOffScanOnlyIT {
    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(settings());

    private static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>(HandOffIT.SLOW_SCANS);
        s.put("talkreel.watch.in-process", "false");
        s.put("talkreel.yttools.adaptive-poll", "false");
        return s;
    }

    @Test
    void withoutTheWakeEveryHandOffWaitsForAScan() throws Exception {
        HandOffIT.quickServices(talkreel.emulators());
        JsonNode record = HandOffIT.runOne(talkreel);

        Map<String, Long> gaps = HandOffIT.handOffGaps(record);
        long total = gaps.values().stream().mapToLong(Long::longValue).sum();
        // seven hand-offs, each a wait of 0-5 s for the next scan (all under 1.5 s in total: odds of 1 in 10^6)
        assertTrue(total > 1500, "the hand-offs waited for the scans: " + gaps);
        assertEquals(1, talkreel.emulators().yttools.calls().count("POST /api/download"));
        assertEquals(1, talkreel.emulators().vibevoice.calls().count("POST /api/tts"));
        assertEquals(1, talkreel.emulators().comfyui.calls().count("POST /prompt"));
        assertEquals(1, talkreel.emulators().infinitetalk.calls().count("POST /api/generate-video"));
        long audioMs = record.path("steps").path("audio").path("elapsed_ms").asLong();
        System.out.printf("HandOffScanOnlyIT: hand-off gaps %s ms (total %d), audio step %d ms%n", gaps, total, audioMs);
        assertTrue(audioMs >= 3000, "plain polls: the cut is seen at the first 3 s poll, " + audioMs + " ms");
    }
}
