package dev.talkreel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The ideal times the critical-path bench prints its ratios against are the issue's (issue 10: 5.5 s, 10.5 s). */
class LatenciesTest {
    @Test
    void theIdealTimesUnderOneGpuAreTheIssues() {
        // the portrait (GPU) runs while yttools cuts the sample (no GPU): max(2, 2.5) + 3 s, then the 5 s video
        assertEquals(5500, Latencies.stepsOneToThree());
        assertEquals(10_500, Latencies.criticalPath());
        assertEquals(10_500, Latencies.GPU_PER_JOB);
    }
}
