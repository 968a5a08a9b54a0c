package dev.talkreel.service.comfyui;

import dev.talkreel.service.JsonReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What ComfyUI refused in a prompt, in its own words (docs/SERVICES.md §1.1, §1.7). Its top-level error says little
 * ("Prompt outputs failed validation", often with empty details): the useful words are in {@code node_errors}, keyed
 * by node id, each with its class_type and, per reason, the input and ComfyUI's message and details. A missing model
 * file reads {@code unet_name: 'x.safetensors' not in []}.
 */
final class ComfyuiRefusals {
    /** A server with many models lists them all in "not in [...]": enough to name the file, not the whole folder. */
    private static final int MAX_DETAILS = 300;

    private ComfyuiRefusals() {
    }

    /** The node ids in {@code node_errors} (old servers sent a list, always empty). */
    static List<String> nodeIds(Object nodeErrors) {
        return nodeErrors instanceof Map<?, ?> errors ? errors.keySet().stream().map(String::valueOf).toList() : List.of();
    }

    /**
     * One sentence per node that has reasons of its own, joined by "; ": {@code node 37 (UNETLoader) input
     * unet_name: Value not in list: unet_name: 'x.safetensors' not in []}. Nodes failing only because of a node
     * upstream carry no reasons and are left out, as ComfyUI leaves them.
     */
    static String nodeErrors(Object nodeErrors) {
        List<String> sentences = new ArrayList<>();
        if (nodeErrors instanceof Map<?, ?> errors) {
            errors.forEach((id, value) -> {
                Map<?, ?> node = JsonReply.asMap(value);
                Object classType = node == null ? null : node.get("class_type");
                if (node != null && node.get("errors") instanceof List<?> reasons) {
                    for (Object r : reasons) {
                        Map<?, ?> reason = JsonReply.asMap(r);
                        if (reason != null) {
                            sentences.add(node(id, classType) + reason(reason));
                        }
                    }
                }
            });
        }
        return String.join("; ", sentences);
    }

    /**
     * The sentence for a 400 from /prompt: the node errors when there are any, else the error's own node
     * (extra_info of missing_node_type), message and details; old servers sent the error as a plain string.
     */
    static String refusal(Object error, Object nodeErrors) {
        String nodes = nodeErrors(nodeErrors);
        if (!nodes.isEmpty()) {
            return "ComfyUI refused the workflow: " + nodes;
        }
        Map<?, ?> e = JsonReply.asMap(error);
        if (e == null) {
            return "ComfyUI refused the workflow: " + (error == null ? "no reason given" : error);
        }
        Map<?, ?> extra = JsonReply.asMap(e.get("extra_info"));
        String where = extra != null && extra.get("node_id") != null
                ? node(extra.get("node_id"), extra.get("class_type")) : "";
        String details = text(e.get("details"));
        return "ComfyUI refused the workflow: " + where + text(e.get("message"))
                + (details.isEmpty() || !where.isEmpty() ? "" : " (" + cut(details) + ")");
    }

    private static String node(Object id, Object classType) {
        return "node " + id + (classType == null ? "" : " (" + classType + ")") + " ";
    }

    private static String reason(Map<?, ?> reason) {
        Map<?, ?> extra = JsonReply.asMap(reason.get("extra_info"));
        Object input = extra == null ? null : extra.get("input_name");
        String message = text(reason.get("message"));
        String details = cut(text(reason.get("details")));
        String words = message.isEmpty() ? text(reason.get("type")) : message;
        return (input == null ? "" : "input " + input + " ") + "said: " + words + (details.isEmpty() ? "" : ": " + details);
    }

    private static String text(Object o) {
        return o == null ? "" : String.valueOf(o).trim();
    }

    private static String cut(String s) {
        return s.length() > MAX_DETAILS ? s.substring(0, MAX_DETAILS) + "..." : s;
    }
}
