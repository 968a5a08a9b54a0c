package dev.talkreel.pipeline;

import java.util.Locale;

/** The four steps, the service behind each, and the artifact each leaves in the job folder. */
public enum PipelineStep {
    AUDIO("yttools", "yttools", "reference.mp3"),
    VOICE("vibevoice", "vibevoice-api", "voice-8s.wav"),
    PORTRAIT("comfyui", "ComfyUI", "portrait.png"),
    VIDEO("infinitetalk", "infinitetalk-api", "video.mp4");

    private final String configKey;
    private final String serviceName;
    private final String artifact;

    PipelineStep(String configKey, String serviceName, String artifact) {
        this.configKey = configKey;
        this.serviceName = serviceName;
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

    public String artifact() {
        return artifact;
    }
}
