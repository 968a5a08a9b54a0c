package dev.talkreel.pipeline;

import java.util.Locale;

/** The four steps, the service behind each, and the artifact each leaves in the job folder. */
public enum PipelineStep {
    AUDIO("yttools", "yttools", false, "reference.mp3"),
    VOICE("vibevoice", "vibevoice-api", true, "voice-8s.wav"),
    PORTRAIT("comfyui", "ComfyUI", true, "portrait.png"),
    VIDEO("infinitetalk", "infinitetalk-api", true, "video.mp4");

    private final String configKey;
    private final String serviceName;
    private final boolean gpu;
    private final String artifact;

    PipelineStep(String configKey, String serviceName, boolean gpu, String artifact) {
        this.configKey = configKey;
        this.serviceName = serviceName;
        this.gpu = gpu;
        this.artifact = artifact;
    }

    public static PipelineStep of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The step's name in job records, marker files and routes: audio, voice, portrait, video. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The prefix of the service's keys in config/application.properties: talkreel.&lt;key&gt;.*. */
    public String configKey() {
        return configKey;
    }

    public String serviceName() {
        return serviceName;
    }

    public boolean usesGpu() {
        return gpu;
    }

    public String artifact() {
        return artifact;
    }
}
