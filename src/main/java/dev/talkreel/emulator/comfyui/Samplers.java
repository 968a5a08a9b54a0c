package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The sampler nodes, where the emulated GPU spends its time one step (one {@code progress} event) at a time, and where
 * each finds its number of steps.
 */
final class Samplers {
    private static final Set<String> TYPES = Set.of("KSampler", "KSamplerAdvanced", "SamplerCustomAdvanced");

    private Samplers() {
    }

    static boolean isSampler(JsonNode node) {
        return TYPES.contains(node.path("class_type").asText());
    }

    /**
     * The inputs that hold a sampler's {@code steps}: its own for the KSamplers; for SamplerCustomAdvanced those of the
     * scheduler its {@code sigmas} come from, since it runs {@code len(sigmas) - 1} steps and BasicScheduler makes
     * {@code steps + 1} sigmas whatever the denoise.
     */
    static JsonNode stepInputs(ObjectNode prompt, JsonNode sampler) {
        JsonNode inputs = sampler.path("inputs");
        JsonNode sigmas = inputs.path("sigmas");
        if (sigmas.isArray() && sigmas.size() == 2) {
            return prompt.path(sigmas.get(0).asText()).path("inputs");
        }
        return inputs;
    }
}
