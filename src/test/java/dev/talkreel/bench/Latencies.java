package dev.talkreel.bench;

import dev.talkreel.emulator.Emulators;
import java.time.Duration;
import java.util.Locale;

/**
 * The fixed service latencies the benchmarks of issues 10 and 11 run against (yttools 2 s, VibeVoice 3 s, ComfyUI
 * 2.5 s, InfiniteTalk 5 s, one GPU), and the ideal times they imply for one job.
 */
final class Latencies {
    static final long AUDIO = 2000;
    static final long VOICE = 3000;
    static final long PORTRAIT = 2500;
    static final long VIDEO = 5000;
    /** The GPU time of one job: voice, portrait and video each hold the one GPU. */
    static final long GPU_PER_JOB = VOICE + PORTRAIT + VIDEO;

    private Latencies() {
    }

    /** Slows the emulators to these latencies. */
    static void apply(Emulators emulators) {
        emulators.yttools.behaviour().latency("task", Duration.ofMillis(AUDIO));
        emulators.vibevoice.behaviour().latency("tts", Duration.ofMillis(VOICE));
        emulators.comfyui.behaviour().latency("execute", Duration.ofMillis(PORTRAIT));
        emulators.infinitetalk.behaviour().latency("generate", Duration.ofMillis(VIDEO));
    }

    /**
     * Submit to voice and portrait both done, at best under one GPU slot: the portrait (GPU) runs while yttools cuts
     * the sample (no GPU), then the voice.
     */
    static long stepsOneToThree() {
        return Math.max(AUDIO, PORTRAIT) + VOICE;
    }

    /** Submit to the video, at best under one GPU slot (portrait first; voice first would be longer). */
    static long criticalPath() {
        long portraitFirst = stepsOneToThree() + VIDEO;
        long voiceFirst = AUDIO + VOICE + PORTRAIT + VIDEO;
        return Math.min(portraitFirst, voiceFirst);
    }

    static String describe() {
        return String.format(Locale.ROOT, "latencies: yttools %.1f s, vibevoice %.1f s, comfyui %.1f s, "
                + "infinitetalk %.1f s, one GPU; ideal steps 1-3 %.1f s, critical path %.1f s, GPU per job %.1f s",
                AUDIO / 1e3, VOICE / 1e3, PORTRAIT / 1e3, VIDEO / 1e3, stepsOneToThree() / 1e3, criticalPath() / 1e3,
                GPU_PER_JOB / 1e3);
    }
}
