package dev.talkreel.emulator.infinitetalk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Json;
import dev.talkreel.emulator.Reply;
import dev.talkreel.emulator.ReplyException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Set;

/**
 * The wrapper's pydantic {@code VideoGenerationRequest}, parsed with pydantic v2's lax rules (numeric strings are
 * accepted, strings are not coerced from numbers). Every problem is collected into one FastAPI 422
 * {@code {"detail": [{type, loc, msg, input, ctx?}]}}, as the real server answers.
 */
record GenerateRequest(String audioPath, String imagePath, String prompt, String resolution, long seed,
                       int diffusionSteps, double textGuideScale, double audioGuideScale, int motionFrame,
                       boolean colorCorrection) {

    private static final Set<String> TRUE = Set.of("1", "on", "t", "true", "y", "yes");
    private static final Set<String> FALSE = Set.of("0", "off", "f", "false", "n", "no");

    static GenerateRequest parse(byte[] body) {
        ArrayNode errors = Json.MAPPER.createArrayNode();
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (IOException e) {
            ObjectNode error = error(errors, "json_invalid", "JSON decode error", Json.object(), 0);
            error.putObject("ctx").put("error", "Expecting value");
            throw invalid(errors);
        }
        if (json == null || !json.isObject()) {
            ObjectNode error = errors.addObject().put("type", "model_attributes_type");
            error.putArray("loc").add("body");
            error.put("msg", "Input should be a valid dictionary or object to extract fields from");
            error.set("input", json);
            throw invalid(errors);
        }
        Fields f = new Fields(json, errors);
        GenerateRequest request = new GenerateRequest(f.string("audio_path", null), f.string("image_path", null),
                f.string("prompt", ""), f.string("resolution", "infinitetalk-480"), f.integer("seed", 42, 0L, null),
                (int) f.integer("diffusion_steps", 40, 1L, 100L), f.number("text_guide_scale", 5.0, 0, 20),
                f.number("audio_guide_scale", 4.0, 0, 20), (int) f.integer("motion_frame", 9, 1L, null),
                f.bool("use_color_correction", true));
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return request;
    }

    /** Reads one field at a time, adding pydantic's error for each bad one. */
    private record Fields(JsonNode json, ArrayNode errors) {
        String string(String name, String fallback) {
            JsonNode v = json.get(name);
            if (v == null) {
                if (fallback == null) {
                    error(errors, "missing", "Field required", json, name);
                }
                return fallback;
            }
            if (!v.isTextual()) {
                error(errors, "string_type", "Input should be a valid string", v, name);
                return fallback;
            }
            return v.asText();
        }

        long integer(String name, long fallback, Long ge, Long le) {
            JsonNode v = json.get(name);
            if (v == null) {
                return fallback;
            }
            BigDecimal value;
            try {
                value = v.isNumber() && !v.isBoolean() ? v.decimalValue()
                        : v.isTextual() ? new BigDecimal(v.asText().trim()) : null;
            } catch (NumberFormatException e) {
                value = null;
            }
            if (value == null) {
                error(errors, v.isTextual() ? "int_parsing" : "int_type", v.isTextual()
                        ? "Input should be a valid integer, unable to parse string as an integer"
                        : "Input should be a valid integer", v, name);
                return fallback;
            }
            if (value.stripTrailingZeros().scale() > 0) {
                error(errors, "int_from_float", "Input should be a valid integer, got a number with a fractional part",
                        v, name);
                return fallback;
            }
            return bounded(name, v, value.longValue(), ge, le) ? value.longValue() : fallback;
        }

        double number(String name, double fallback, long ge, long le) {
            JsonNode v = json.get(name);
            if (v == null) {
                return fallback;
            }
            double value;
            if (v.isNumber()) {
                value = v.asDouble();
            } else if (v.isTextual()) {
                try {
                    value = Double.parseDouble(v.asText().trim());
                } catch (NumberFormatException e) {
                    error(errors, "float_parsing", "Input should be a valid number, unable to parse string as a number",
                            v, name);
                    return fallback;
                }
            } else {
                error(errors, "float_type", "Input should be a valid number", v, name);
                return fallback;
            }
            return bounded(name, v, value, ge, le) ? value : fallback;
        }

        boolean bool(String name, boolean fallback) {
            JsonNode v = json.get(name);
            if (v == null) {
                return fallback;
            }
            String text = v.isBoolean() ? String.valueOf(v.asBoolean()) : v.isIntegralNumber() || v.isTextual()
                    ? v.asText().trim().toLowerCase(Locale.ROOT) : "";
            if (TRUE.contains(text) || FALSE.contains(text)) {
                return TRUE.contains(text);
            }
            error(errors, "bool_parsing", "Input should be a valid boolean, unable to interpret input", v, name);
            return fallback;
        }

        private boolean bounded(String name, JsonNode input, double value, Number ge, Number le) {
            if (ge != null && value < ge.doubleValue()) {
                error(errors, "greater_than_equal", "Input should be greater than or equal to " + ge, input, name)
                        .putObject("ctx").putPOJO("ge", ge);
                return false;
            }
            if (le != null && value > le.doubleValue()) {
                error(errors, "less_than_equal", "Input should be less than or equal to " + le, input, name)
                        .putObject("ctx").putPOJO("le", le);
                return false;
            }
            return true;
        }
    }

    private static ObjectNode error(ArrayNode errors, String type, String msg, JsonNode input, Object field) {
        ObjectNode error = errors.addObject().put("type", type);
        ArrayNode loc = error.putArray("loc").add("body");
        if (field instanceof Integer i) {
            loc.add(i);
        } else {
            loc.add(String.valueOf(field));
        }
        error.put("msg", msg);
        error.set("input", input);
        return error;
    }

    private static ReplyException invalid(ArrayNode errors) {
        ObjectNode body = Json.object();
        body.set("detail", errors);
        return new ReplyException(Reply.json(422, body));
    }
}
