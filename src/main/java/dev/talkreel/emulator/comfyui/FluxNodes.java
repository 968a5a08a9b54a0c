package dev.talkreel.emulator.comfyui;

import static dev.talkreel.emulator.comfyui.NodeCatalog.DEVICES;
import static dev.talkreel.emulator.comfyui.NodeCatalog.INT_MAX;
import static dev.talkreel.emulator.comfyui.NodeCatalog.MAX_RESOLUTION;
import static dev.talkreel.emulator.comfyui.NodeCatalog.SAMPLERS;
import static dev.talkreel.emulator.comfyui.NodeCatalog.SCHEDULERS;
import static dev.talkreel.emulator.comfyui.NodeCatalog.combo;
import static dev.talkreel.emulator.comfyui.NodeCatalog.integer;
import static dev.talkreel.emulator.comfyui.NodeCatalog.link;
import static dev.talkreel.emulator.comfyui.NodeCatalog.number;
import static dev.talkreel.emulator.comfyui.NodeCatalog.optionalCombo;
import static dev.talkreel.emulator.comfyui.NodeCatalog.text;

import java.util.List;

/**
 * The nodes of a Flux.1 text-to-image graph as ComfyUI v0.3.67 declares them: DualCLIPLoader (nodes.py),
 * CLIPTextEncodeFlux and FluxGuidance (comfy_extras/nodes_flux.py), EmptySD3LatentImage (nodes_sd3.py),
 * ModelSamplingFlux (nodes_model_advanced.py), and the custom-sampling family of nodes_custom_sampler.py
 * (RandomNoise, KSamplerSelect, BasicScheduler, BasicGuider, SamplerCustomAdvanced). Inputs keep ComfyUI's order,
 * which is the order validation reports them in.
 */
final class FluxNodes {
    /** DualCLIPLoader's "type" options. */
    static final List<String> DUAL_CLIP_TYPES = List.of("sdxl", "sd3", "flux", "hunyuan_video", "hidream",
            "hunyuan_image");

    private FluxNodes() {
    }

    static void define(NodeCatalog catalog) {
        catalog.define("DualCLIPLoader", List.of("CLIP"), false, combo("clip_name1", null), combo("clip_name2", null),
                combo("type", DUAL_CLIP_TYPES), optionalCombo("device", DEVICES));
        catalog.define("CLIPTextEncodeFlux", List.of("CONDITIONING"), false, link("clip", "CLIP"), text("clip_l"),
                text("t5xxl"), number("guidance", 0, 100));
        catalog.define("FluxGuidance", List.of("CONDITIONING"), false, link("conditioning", "CONDITIONING"),
                number("guidance", 0, 100));
        catalog.define("EmptySD3LatentImage", List.of("LATENT"), false, integer("width", 16, MAX_RESOLUTION),
                integer("height", 16, MAX_RESOLUTION), integer("batch_size", 1, 4096));
        catalog.define("ModelSamplingFlux", List.of("MODEL"), false, link("model", "MODEL"),
                number("max_shift", 0, 100), number("base_shift", 0, 100), integer("width", 16, MAX_RESOLUTION),
                integer("height", 16, MAX_RESOLUTION));
        catalog.define("RandomNoise", List.of("NOISE"), false, integer("noise_seed", 0, INT_MAX));
        catalog.define("KSamplerSelect", List.of("SAMPLER"), false, combo("sampler_name", SAMPLERS));
        catalog.define("BasicScheduler", List.of("SIGMAS"), false, link("model", "MODEL"),
                combo("scheduler", SCHEDULERS), integer("steps", 1, 10000), number("denoise", 0, 1));
        catalog.define("BasicGuider", List.of("GUIDER"), false, link("model", "MODEL"),
                link("conditioning", "CONDITIONING"));
        catalog.define("SamplerCustomAdvanced", List.of("LATENT", "LATENT"), false, link("noise", "NOISE"),
                link("guider", "GUIDER"), link("sampler", "SAMPLER"), link("sigmas", "SIGMAS"),
                link("latent_image", "LATENT"));
    }
}
