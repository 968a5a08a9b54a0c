package dev.talkreel.emulator.vibevoice;

import java.util.List;

/**
 * The wrapper's TTSRequest model (docs/SERVICES.md 3.2), with its defaults and bounds. Only the fields the emulator acts on
 * are kept; the others are checked like the real model and then dropped, since they only steer the real model.
 */
record TtsRequest(String text, String model, String voiceAudioBase64, long seed, double cfgScale,
                  double voiceSpeedFactor, String outputFormat) {
    static final List<String> FORMATS = List.of("wav", "mp3", "ogg");
    /** The model's fields, in the order it declares them (pydantic reports errors in this order). */
    static final List<String> FIELDS = List.of("text", "model", "voice_audio_base64", "seed", "cfg_scale",
            "diffusion_steps", "use_sampling", "temperature", "top_p", "attention_type", "quantize_llm",
            "voice_speed_factor", "max_words_per_chunk", "lora_config", "output_format");

    /** Reads a decoded JSON object (multipart fields arrive as strings); null with the errors in {@code check}. */
    static TtsRequest read(ModelCheck check) {
        String text = check.requiredText("text", 1);
        String model = check.text("model", "VibeVoice-Large");
        String voice = check.optionalText("voice_audio_base64");
        long seed = check.integer("seed", 42, 0L, null);
        double cfgScale = check.number("cfg_scale", 1.3, 0.0, 10.0);
        check.integer("diffusion_steps", 20, 1L, 100L);
        check.bool("use_sampling", false);
        check.number("temperature", 0.95, null, null);
        check.number("top_p", 0.95, null, null);
        check.text("attention_type", "auto");
        check.text("quantize_llm", "full precision");
        double speed = check.number("voice_speed_factor", 1.0, 0.8, 1.2);
        check.integer("max_words_per_chunk", 250, null, null);
        // lora_config is an optional free-form object: anything goes
        String format = check.choice("output_format", "wav", FORMATS);
        return check.failed() ? null : new TtsRequest(text, model, voice, seed, cfgScale, speed, format);
    }

    /** Words as the speech rate counts them: whitespace-separated tokens. */
    int words() {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }
}
