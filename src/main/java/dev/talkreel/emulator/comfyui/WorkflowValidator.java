package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ComfyUI's {@code validate_prompt}/{@code validate_inputs} (execution.py, newest shapes): checks every node has a
 * known class_type, finds the output nodes, then validates each output's inputs recursively. Invalid nodes are
 * reported in {@code node_errors} keyed by node id, with the outputs that depend on them; a node that only fails
 * because something upstream failed carries no reasons of its own, as in ComfyUI.
 */
final class WorkflowValidator {
    /** The verdict: {@code error} is null when at least one output is valid. */
    record Result(ObjectNode error, List<String> outputs, ObjectNode nodeErrors) {
        boolean ok() {
            return error == null;
        }
    }

    /** A node's validation verdict, as ComfyUI keeps it in {@code validated}. */
    private record Verdict(boolean valid, List<ObjectNode> reasons) {
    }

    /** A Python exception escaping validation (KeyError on a dangling link, IndexError on a bad slot, ...). */
    private static final class PyException extends Exception {
        final String type;

        PyException(String type, String message) {
            super(message, null, false, false);
            this.type = type;
        }
    }

    private final NodeCatalog catalog;

    WorkflowValidator(NodeCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Validates {@code prompt}, which must be a JSON object; a node that is not an object makes ComfyUI fail with a
     * TypeError, so it throws here (the caller answers 500).
     */
    Result validate(ObjectNode prompt) {
        List<String> outputs = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = prompt.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String id = e.getKey();
            JsonNode node = e.getValue();
            if (!node.isObject()) {
                throw new IllegalArgumentException("node " + id + " is not an object");
            }
            String title = node.path("_meta").path("title").asText(null);
            if (!node.has("class_type")) {
                return fail(reason("missing_node_type", "Node '" + (title != null ? title : "ID #" + id)
                        + "' has no class_type. The workflow may be corrupted or a custom node is missing.",
                        "Node ID '#" + id + "'", nodeInfo(id, null, title)));
            }
            String classType = node.get("class_type").asText();
            NodeCatalog.NodeClass cls = catalog.get(classType);
            if (cls == null) {
                return fail(reason("missing_node_type", "Node '" + (title != null ? title : classType)
                        + "' not found. The custom node may not be installed.", "Node ID '#" + id + "'",
                        nodeInfo(id, classType, title != null ? title : classType)));
            }
            if (cls.outputNode()) {
                outputs.add(id);
            }
        }
        if (outputs.isEmpty()) {
            return fail(reason("prompt_no_outputs", "Prompt has no outputs", "", Json.object()));
        }
        Map<String, Verdict> validated = new LinkedHashMap<>();
        List<String> good = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        ObjectNode nodeErrors = Json.object();
        for (String output : outputs) {
            Verdict verdict;
            try {
                verdict = validateInputs(prompt, output, validated);
            } catch (PyException ex) {
                verdict = new Verdict(false, List.of(exceptionReason("exception_during_validation",
                        "Exception when validating node", ex, null)));
                validated.put(output, verdict);
            }
            if (verdict.valid()) {
                good.add(output);
                continue;
            }
            verdict.reasons().forEach(r -> lines.add(r.path("message").asText() + ": " + r.path("details").asText()));
            validated.forEach((id, v) -> {
                if (!v.valid() && !v.reasons().isEmpty()) {
                    ObjectNode entry = (ObjectNode) nodeErrors.get(id);
                    if (entry == null) {
                        entry = nodeErrors.putObject(id);
                        entry.putArray("errors").addAll(v.reasons());
                        entry.putArray("dependent_outputs");
                        entry.put("class_type", prompt.path(id).path("class_type").asText());
                    }
                    ((ArrayNode) entry.get("dependent_outputs")).add(output);
                }
            });
        }
        if (good.isEmpty()) {
            return new Result(reason("prompt_outputs_failed_validation", "Prompt outputs failed validation",
                    String.join("\n", lines), Json.object()), good, nodeErrors);
        }
        return new Result(null, good, nodeErrors);
    }

    private Verdict validateInputs(ObjectNode prompt, String id, Map<String, Verdict> validated) throws PyException {
        Verdict known = validated.get(id);
        if (known != null) {
            return known;
        }
        JsonNode node = prompt.get(id);
        if (node == null || !node.isObject()) {
            throw new PyException("KeyError", "'" + id + "'");
        }
        JsonNode inputs = node.get("inputs");
        if (inputs == null) {
            throw new PyException("KeyError", "'inputs'");
        }
        NodeCatalog.NodeClass cls = catalog.get(node.path("class_type").asText());
        List<ObjectNode> errors = new ArrayList<>();
        boolean valid = true;
        for (NodeCatalog.Input input : cls.inputs()) {
            String x = input.name();
            JsonNode val = inputs.get(x);
            if (val == null) {
                if (input.required()) {
                    ObjectNode extra = Json.object().put("input_name", x);
                    errors.add(reason("required_input_missing", "Required input is missing", x, extra));
                }
                continue;
            }
            ArrayNode info = inputConfig(cls, input);
            if (val.isArray()) {
                if (val.size() != 2) {
                    errors.add(reason("bad_linked_input",
                            "Bad linked input, must be a length-2 list of [node_id, slot_index]", x,
                            valueInfo(x, info, val)));
                    continue;
                }
                String receivedType = returnType(prompt, val);
                if (!receivedType.equals(input.type())) {
                    ObjectNode extra = Json.object().put("input_name", x);
                    extra.set("input_config", info);
                    extra.put("received_type", receivedType);
                    extra.set("linked_node", val);
                    errors.add(reason("return_type_mismatch", "Return type mismatch between linked nodes",
                            x + ", received_type(" + receivedType + ") mismatch input_type(" + input.type() + ")",
                            extra));
                    continue;
                }
                String source = val.get(0).asText();
                try {
                    if (!validateInputs(prompt, source, validated).valid()) {
                        valid = false;
                    }
                } catch (PyException ex) {
                    validated.put(source, new Verdict(false, List.of(exceptionReason(
                            "exception_during_inner_validation", "Exception when validating inner node", ex, val))));
                    valid = false;
                }
                continue;
            }
            ObjectNode problem = checkValue(cls, input, val, info);
            if (problem != null) {
                errors.add(problem);
            }
        }
        Verdict verdict = new Verdict(errors.isEmpty() && valid, errors);
        validated.put(id, verdict);
        return verdict;
    }

    /** The type a link delivers; a missing node or slot raises as Python's dict/tuple lookups would. */
    private String returnType(ObjectNode prompt, JsonNode link) throws PyException {
        JsonNode sourceId = link.get(0);
        JsonNode source = sourceId.isTextual() ? prompt.get(sourceId.asText()) : null;
        if (source == null) {
            throw new PyException("KeyError", sourceId.isTextual() ? "'" + sourceId.asText() + "'" : sourceId.toString());
        }
        List<String> types = catalog.get(source.path("class_type").asText()).returnTypes();
        JsonNode slot = link.get(1);
        if (!slot.isIntegralNumber()) {
            throw new PyException("TypeError", "tuple indices must be integers or slices, not "
                    + (slot.isTextual() ? "str" : slot.isFloatingPointNumber() ? "float" : "NoneType"));
        }
        int index = slot.asInt();
        if (index >= types.size() || index < -types.size()) {
            throw new PyException("IndexError", "tuple index out of range");
        }
        return types.get(index < 0 ? types.size() + index : index);
    }

    /** Converts a widget value as ComfyUI does (int(val), float(val), ...), then checks min, max and combo options. */
    private ObjectNode checkValue(NodeCatalog.NodeClass cls, NodeCatalog.Input input, JsonNode val, ArrayNode info) {
        String x = input.name();
        Number number;
        try {
            number = switch (input.type()) {
                case "INT" -> toInt(val);
                case "FLOAT" -> toFloat(val);
                default -> null;
            };
        } catch (IllegalArgumentException ex) {
            ObjectNode extra = valueInfo(x, info, val).put("exception_message", ex.getMessage());
            return reason("invalid_input_type", "Failed to convert an input value to a " + input.type() + " value",
                    x + ", " + pythonStr(val) + ", " + ex.getMessage(), extra);
        }
        if (number != null && input.min() != null && number.doubleValue() < input.min()) {
            return reason("value_smaller_than_min", "Value " + pyNumber(number) + " smaller than min of "
                    + pyNumber(bound(input, input.min())), x, valueInfo(x, info, val));
        }
        if (number != null && input.max() != null && number.doubleValue() > input.max()) {
            return reason("value_bigger_than_max", "Value " + pyNumber(number) + " bigger than max of "
                    + pyNumber(bound(input, input.max())), x, valueInfo(x, info, val));
        }
        if (input.isCombo()) {
            List<String> options = catalog.options(cls, input);
            if (!val.isTextual() || !options.contains(val.asText())) {
                ObjectNode extra = valueInfo(x, options.size() > 20 ? null : info, val);
                String listInfo = options.size() > 20 ? "(list of length " + options.size() + ")" : pythonList(options);
                return reason("value_not_in_list", "Value not in list", x + ": '" + pythonStr(val) + "' not in "
                        + listInfo, extra);
            }
        }
        return null;
    }

    private static Number toInt(JsonNode val) {
        if (val.isBoolean()) {
            return val.asBoolean() ? 1 : 0;
        }
        if (val.isNumber()) {
            return val.decimalValue().toBigInteger();
        }
        if (val.isTextual()) {
            try {
                return new BigInteger(val.asText().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid literal for int() with base 10: '" + val.asText() + "'");
            }
        }
        throw new IllegalArgumentException("int() argument must be a string, a bytes-like object or a real number, "
                + "not '" + pythonType(val) + "'");
    }

    private static Number toFloat(JsonNode val) {
        if (val.isBoolean()) {
            return val.asBoolean() ? 1.0 : 0.0;
        }
        if (val.isNumber()) {
            return val.asDouble();
        }
        if (val.isTextual()) {
            try {
                return Double.parseDouble(val.asText().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("could not convert string to float: '" + val.asText() + "'");
            }
        }
        throw new IllegalArgumentException("float() argument must be a string or a real number, not '"
                + pythonType(val) + "'");
    }

    private static Number bound(NodeCatalog.Input input, double value) {
        return "INT".equals(input.type()) ? new BigDecimal(value).toBigInteger() : value;
    }

    /** The {@code (input_type, extra_info)} tuple ComfyUI reports as {@code input_config}. */
    private ArrayNode inputConfig(NodeCatalog.NodeClass cls, NodeCatalog.Input input) {
        ArrayNode info = Json.MAPPER.createArrayNode();
        if (input.isCombo()) {
            catalog.options(cls, input).forEach(info.addArray()::add);
        } else {
            info.add(input.type());
        }
        ObjectNode extra = info.addObject();
        if (input.min() != null) {
            extra.putPOJO("min", bound(input, input.min()));
            extra.putPOJO("max", bound(input, input.max()));
        }
        return info;
    }

    private static ObjectNode valueInfo(String name, ArrayNode info, JsonNode val) {
        ObjectNode extra = Json.object().put("input_name", name);
        extra.set("input_config", info);
        extra.set("received_value", val);
        return extra;
    }

    private static ObjectNode exceptionReason(String type, String message, PyException ex, JsonNode link) {
        ObjectNode extra = Json.object().put("exception_type", ex.type);
        extra.putArray("traceback").add("  File \"/ComfyUI/execution.py\", line 1009, in validate_inputs\n"
                + "    o_class_type = prompt[o_id]['class_type']\n");
        if (link != null) {
            extra.set("linked_node", link);
        }
        return reason(type, message, ex.getMessage(), extra);
    }

    private static ObjectNode reason(String type, String message, String details, ObjectNode extra) {
        ObjectNode r = Json.object().put("type", type).put("message", message).put("details", details);
        r.set("extra_info", extra);
        return r;
    }

    private static ObjectNode nodeInfo(String id, String classType, String title) {
        return Json.object().put("node_id", id).put("class_type", classType).put("node_title", title);
    }

    private static Result fail(ObjectNode error) {
        return new Result(error, List.of(), Json.object());
    }

    private static String pythonList(List<String> items) {
        List<String> quoted = new ArrayList<>();
        items.forEach(i -> quoted.add("'" + i + "'"));
        return "[" + String.join(", ", quoted) + "]";
    }

    private static String pythonStr(JsonNode val) {
        return val.isTextual() ? val.asText() : val.toString();
    }

    private static String pyNumber(Number n) {
        return n instanceof Double d ? (d == Math.rint(d) && !d.isInfinite() ? String.format("%.1f", d) : d.toString())
                : n.toString();
    }

    private static String pythonType(JsonNode val) {
        return switch (val.getNodeType()) {
            case NULL -> "NoneType";
            case OBJECT -> "dict";
            case ARRAY -> "list";
            default -> "str";
        };
    }
}
