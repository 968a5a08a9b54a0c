package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Workflows with an invalid output node among valid ones, the shape for which a real ComfyUI answers 200 with
 * node_errors and still renders the valid outputs (docs/SERVICES.md §1.7). The emulator's validator does the rest,
 * exactly as for a workflow sent in this shape.
 */
final class BrokenOutputs {
    /** Node ids no real workflow uses, so they never clash with the client's. */
    static final String EXTRA = "9001";

    private BrokenOutputs() {
    }

    /**
     * A copy of {@code prompt}: with {@code breakSaveImages}, every SaveImage loses its {@code images} input
     * (required_input_missing) and a valid PreviewImage takes over the first one's images; without, one more SaveImage
     * whose {@code images} link to a CLIP output (return_type_mismatch, or a dangling link when there is no CLIP).
     */
    static ObjectNode reshape(ObjectNode prompt, boolean breakSaveImages) {
        ObjectNode copy = prompt.deepCopy();
        List<ObjectNode> saves = new ArrayList<>();
        String clip = null;
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) copy::fields) {
            String type = e.getValue().path("class_type").asText();
            if ("SaveImage".equals(type) && e.getValue().path("inputs").isObject()) {
                saves.add((ObjectNode) e.getValue().get("inputs"));
            } else if (type.endsWith("CLIPLoader") && clip == null) {
                clip = e.getKey();
            }
        }
        ObjectNode extra = copy.putObject(EXTRA);
        if (breakSaveImages && !saves.isEmpty()) {
            extra.put("class_type", "PreviewImage").putObject("inputs").set("images", saves.get(0).get("images"));
            saves.forEach(inputs -> inputs.remove("images"));
        } else {
            extra.put("class_type", "SaveImage").putObject("inputs").put("filename_prefix", "elsewhere/unused")
                    .putArray("images").add(clip == null ? "9002" : clip).add(0);
        }
        return copy;
    }
}
