package dev.talkreel.emulator.comfyui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in node classes the emulated ComfyUI knows, with their inputs as ComfyUI's INPUT_TYPES declares them
 * (type, min/max, combo options) and their RETURN_TYPES, so that validation answers as the real server does. The model
 * lists are a setting: they stand for the files in the server's models/ folders.
 */
final class NodeCatalog {
    static final String DIFFUSION_MODELS = "diffusion_models";
    static final String TEXT_ENCODERS = "text_encoders";
    static final String VAE = "vae";
    static final String CHECKPOINTS = "checkpoints";

    /** ComfyUI's seed maximum, 0xffffffffffffffff. */
    static final double INT_MAX = 18446744073709551615d;
    /** nodes.MAX_RESOLUTION. */
    static final double MAX_RESOLUTION = 16384;
    /** The loaders' optional "device" input. */
    static final List<String> DEVICES = List.of("default", "cpu");
    static final List<String> SAMPLERS = List.of("euler", "euler_cfg_pp", "euler_ancestral",
            "euler_ancestral_cfg_pp", "heun", "heunpp2", "dpm_2", "dpm_2_ancestral", "lms", "dpm_fast", "dpm_adaptive",
            "dpmpp_2s_ancestral", "dpmpp_2s_ancestral_cfg_pp", "dpmpp_sde", "dpmpp_sde_gpu", "dpmpp_2m",
            "dpmpp_2m_cfg_pp", "dpmpp_2m_sde", "dpmpp_2m_sde_gpu", "dpmpp_3m_sde", "dpmpp_3m_sde_gpu", "ddpm", "lcm",
            "ipndm", "ipndm_v", "deis", "res_multistep", "res_multistep_cfg_pp", "res_multistep_ancestral",
            "res_multistep_ancestral_cfg_pp", "gradient_estimation", "er_sde", "seeds_2", "seeds_3", "ddim", "uni_pc",
            "uni_pc_bh2");
    static final List<String> SCHEDULERS = List.of("simple", "sgm_uniform", "karras", "exponential",
            "ddim_uniform", "beta", "normal", "linear_quadratic", "kl_optimal");
    private static final List<String> CLIP_TYPES = List.of("stable_diffusion", "stable_cascade", "sd3",
            "stable_audio", "mochi", "ltxv", "pixart", "cosmos", "lumina2", "wan", "hidream", "chroma", "ace",
            "omnigen2", "qwen_image", "hunyuan_image");

    /** One declared input: a primitive (INT, FLOAT, STRING, BOOLEAN), a COMBO with options, or a link type. */
    record Input(String name, String type, List<String> options, Double min, Double max, boolean required) {
        boolean isCombo() {
            return "COMBO".equals(type);
        }
    }

    /** One node class. */
    record NodeClass(String name, List<Input> inputs, List<String> returnTypes, boolean outputNode) {
    }

    private final Map<String, NodeClass> classes = new LinkedHashMap<>();
    private final Map<String, List<String>> models = new ConcurrentHashMap<>();

    NodeCatalog() {
        // the Wan 2.2 files as Comfy-Org's repackaged repository names them, then the Flux.1 [dev] ones
        models(DIFFUSION_MODELS, List.of("wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors",
                "wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors"), "split_files/diffusion_models/",
                "flux1-dev.safetensors");
        models(TEXT_ENCODERS, List.of("umt5_xxl_fp8_e4m3fn_scaled.safetensors"), "split_files/text_encoders/",
                "t5xxl_fp8_e4m3fn.safetensors", "clip_l.safetensors");
        models(VAE, List.of("wan_2.1_vae.safetensors"), "split_files/vae/", "ae.safetensors");
        setModels(CHECKPOINTS, List.of());

        Input model = link("model", "MODEL");
        define("KSampler", List.of("LATENT"), false, model, integer("seed", 0, INT_MAX), integer("steps", 1, 10000),
                number("cfg", 0, 100), combo("sampler_name", SAMPLERS), combo("scheduler", SCHEDULERS),
                link("positive", "CONDITIONING"), link("negative", "CONDITIONING"), link("latent_image", "LATENT"),
                number("denoise", 0, 1));
        define("KSamplerAdvanced", List.of("LATENT"), false, model, combo("add_noise", List.of("enable", "disable")),
                integer("noise_seed", 0, INT_MAX), integer("steps", 1, 10000), number("cfg", 0, 100),
                combo("sampler_name", SAMPLERS), combo("scheduler", SCHEDULERS), link("positive", "CONDITIONING"),
                link("negative", "CONDITIONING"), link("latent_image", "LATENT"), integer("start_at_step", 0, 10000),
                integer("end_at_step", 0, 10000), combo("return_with_leftover_noise", List.of("disable", "enable")));
        define("CLIPTextEncode", List.of("CONDITIONING"), false, text("text"), link("clip", "CLIP"));
        define("VAEDecode", List.of("IMAGE"), false, link("samples", "LATENT"), link("vae", "VAE"));
        define("UNETLoader", List.of("MODEL"), false, combo("unet_name", null),
                combo("weight_dtype", List.of("default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2")));
        define("CLIPLoader", List.of("CLIP"), false, combo("clip_name", null), combo("type", CLIP_TYPES),
                optionalCombo("device", DEVICES));
        define("VAELoader", List.of("VAE"), false, combo("vae_name", null));
        define("CheckpointLoaderSimple", List.of("MODEL", "CLIP", "VAE"), false, combo("ckpt_name", null));
        define("EmptyHunyuanLatentVideo", List.of("LATENT"), false, integer("width", 16, MAX_RESOLUTION),
                integer("height", 16, MAX_RESOLUTION), integer("length", 1, 16384), integer("batch_size", 1, 4096));
        define("EmptyLatentImage", List.of("LATENT"), false, integer("width", 16, MAX_RESOLUTION),
                integer("height", 16, MAX_RESOLUTION), integer("batch_size", 1, 4096));
        define("EmptyImage", List.of("IMAGE"), false, integer("width", 1, 16384), integer("height", 1, 16384),
                integer("batch_size", 1, 4096), integer("color", 0, 0xFFFFFF));
        define("ModelSamplingSD3", List.of("MODEL"), false, model, number("shift", 0, 100));
        define("SaveImage", List.of(), true, link("images", "IMAGE"), text("filename_prefix"));
        define("PreviewImage", List.of(), true, link("images", "IMAGE"));
        FluxNodes.define(this);
    }

    /** The same nodes on a server whose models folders are empty: every loader fails with value_not_in_list. */
    static NodeCatalog withoutModels() {
        NodeCatalog empty = new NodeCatalog();
        for (String folder : List.of(DIFFUSION_MODELS, TEXT_ENCODERS, VAE, CHECKPOINTS)) {
            empty.setModels(folder, List.of());
        }
        return empty;
    }

    NodeClass get(String classType) {
        return classes.get(classType);
    }

    /** The options of a combo input; model inputs read the current model lists. */
    List<String> options(NodeClass node, Input input) {
        if (input.options() != null) {
            return input.options();
        }
        String folder = switch (node.name()) {
            case "UNETLoader" -> DIFFUSION_MODELS;
            case "CLIPLoader", "DualCLIPLoader" -> TEXT_ENCODERS;
            case "VAELoader" -> VAE;
            default -> CHECKPOINTS;
        };
        return models.getOrDefault(folder, List.of());
    }

    /** Replaces the files of one models folder; kept sorted, as folder_paths.get_filename_list returns them. */
    void setModels(String folder, List<String> names) {
        models.put(folder, names.stream().sorted().toList());
    }

    /** {@code repackaged} files, each also under {@code splitFilesFolder} as found in a clone, plus {@code others}. */
    private void models(String folder, List<String> repackaged, String splitFilesFolder, String... others) {
        List<String> all = new ArrayList<>(repackaged);
        repackaged.forEach(n -> all.add(splitFilesFolder + n));
        all.addAll(List.of(others));
        setModels(folder, all);
    }

    void define(String name, List<String> returnTypes, boolean outputNode, Input... inputs) {
        classes.put(name, new NodeClass(name, List.of(inputs), returnTypes, outputNode));
    }

    static Input link(String name, String type) {
        return new Input(name, type, null, null, null, true);
    }

    static Input integer(String name, double min, double max) {
        return new Input(name, "INT", null, min, max, true);
    }

    static Input number(String name, double min, double max) {
        return new Input(name, "FLOAT", null, min, max, true);
    }

    static Input text(String name) {
        return new Input(name, "STRING", null, null, null, true);
    }

    /** A combo; null options means "the files of a models folder". */
    static Input combo(String name, List<String> options) {
        return new Input(name, "COMBO", options, null, null, true);
    }

    /** A combo under "optional": ComfyUI accepts a prompt without it. */
    static Input optionalCombo(String name, List<String> options) {
        return new Input(name, "COMBO", options, null, null, false);
    }
}
