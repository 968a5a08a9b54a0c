package dev.talkreel.emulator.vibevoice;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads fields of a request model as pydantic v2 does in lax mode (strings such as "42" or "true" are coerced, as
 * multipart fields always are strings) and words its errors the same way, so {@code str(ValidationError)} looks like
 * the real one: "2 validation errors for TTSRequest / seed / Input should be greater than or equal to 0 [...]".
 */
final class ModelCheck {
    private static final String DOCS = "https://errors.pydantic.dev/2.9/v/";
    /** The strings and integers pydantic reads as a boolean. */
    private static final Set<String> BOOLEAN_WORDS = Set.of("1", "on", "t", "true", "y", "yes", "0", "off", "f",
            "false", "n", "no");

    private final String model;
    private final JsonNode input;
    private final List<String> errors = new ArrayList<>();

    ModelCheck(String model, JsonNode input) {
        this.model = model;
        this.input = input;
    }

    boolean failed() {
        return !errors.isEmpty();
    }

    /** The text of the ValidationError. */
    String message() {
        return errors.size() + " validation error" + (errors.size() == 1 ? "" : "s") + " for " + model + "\n"
                + String.join("\n", errors);
    }

    /** A required string field; null when missing or wrong. */
    String requiredText(String field, int minLength) {
        JsonNode v = input.get(field);
        if (v == null) {
            error(field, "missing", "Field required", input);
            return null;
        }
        String s = text(field, null);
        if (s != null && s.length() < minLength) {
            error(field, "string_too_short", "String should have at least " + minLength + " character"
                    + (minLength == 1 ? "" : "s"), v);
            return null;
        }
        return s;
    }

    String text(String field, String fallback) {
        JsonNode v = input.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            error(field, "string_type", "Input should be a valid string", v);
            return fallback;
        }
        return v.asText();
    }

    /** An Optional[str]: null is allowed. */
    String optionalText(String field) {
        JsonNode v = input.get(field);
        return v == null || v.isNull() ? null : text(field, null);
    }

    /** A Literal[...] of strings. */
    String choice(String field, String fallback, List<String> allowed) {
        JsonNode v = input.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual() || !allowed.contains(v.asText())) {
            StringBuilder list = new StringBuilder();
            for (int i = 0; i < allowed.size(); i++) {
                list.append(i == 0 ? "" : i == allowed.size() - 1 ? " or " : ", ").append('\'')
                        .append(allowed.get(i)).append('\'');
            }
            error(field, "literal_error", "Input should be " + list, v);
            return fallback;
        }
        return v.asText();
    }

    long integer(String field, long fallback, Long min, Long max) {
        JsonNode v = input.get(field);
        if (v == null) {
            return fallback;
        }
        Long value = null;
        if (v.isIntegralNumber() || v.isBoolean()) {
            value = v.asLong();
        } else if (v.isNumber()) {
            if (v.asDouble() % 1 == 0) {
                value = v.asLong();
            } else {
                error(field, "int_from_float", "Input should be a valid integer, got a number with a fractional part",
                        v);
            }
        } else if (v.isTextual()) {
            try {
                value = Long.parseLong(v.asText().trim());
            } catch (NumberFormatException e) {
                error(field, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", v);
            }
        } else {
            error(field, "int_type", "Input should be a valid integer", v);
        }
        if (value == null || !inRange(field, v, value, min == null ? null : min.doubleValue(),
                max == null ? null : max.doubleValue())) {
            return fallback;
        }
        return value;
    }

    double number(String field, double fallback, Double min, Double max) {
        JsonNode v = input.get(field);
        if (v == null) {
            return fallback;
        }
        Double value = null;
        if (v.isNumber() || v.isBoolean()) {
            value = v.isBoolean() ? (v.asBoolean() ? 1.0 : 0.0) : v.asDouble();
        } else if (v.isTextual()) {
            try {
                value = Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                error(field, "float_parsing", "Input should be a valid number, unable to parse string as a number", v);
            }
        } else {
            error(field, "float_type", "Input should be a valid number", v);
        }
        if (value == null || !inRange(field, v, value, min, max)) {
            return fallback;
        }
        return value;
    }

    boolean bool(String field, boolean fallback) {
        JsonNode v = input.get(field);
        if (v == null) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        String t = v.isTextual() || v.isIntegralNumber() ? v.asText().trim().toLowerCase(Locale.ROOT) : "";
        if (BOOLEAN_WORDS.contains(t)) {
            return Set.of("1", "on", "t", "true", "y", "yes").contains(t);
        }
        boolean parsable = v.isTextual() || v.isNumber();
        error(field, parsable ? "bool_parsing" : "bool_type", parsable
                ? "Input should be a valid boolean, unable to interpret input" : "Input should be a valid boolean", v);
        return fallback;
    }

    private boolean inRange(String field, JsonNode v, double value, Double min, Double max) {
        if (min != null && value < min) {
            error(field, "greater_than_equal", "Input should be greater than or equal to " + show(min), v);
            return false;
        }
        if (max != null && value > max) {
            error(field, "less_than_equal", "Input should be less than or equal to " + show(max), v);
            return false;
        }
        return true;
    }

    private void error(String field, String type, String msg, JsonNode value) {
        errors.add(field + "\n  " + msg + " [type=" + type + ", input_value=" + truncate(repr(value))
                + ", input_type=" + pythonType(value) + "]\n    For further information visit " + DOCS + type);
    }

    /** The bound as Python prints it: 0, 10, 1.2. */
    private static String show(double bound) {
        return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    /** pydantic shortens long input values to their first 25 and last 24 characters. */
    private static String truncate(String repr) {
        return repr.length() <= 50 ? repr : repr.substring(0, 25) + "..." + repr.substring(repr.length() - 24);
    }

    /** The value as Python's repr() would show the decoded JSON. */
    static String repr(JsonNode v) {
        if (v.isTextual()) {
            return "'" + v.asText().replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
        }
        if (v.isNull()) {
            return "None";
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? "True" : "False";
        }
        if (v.isObject()) {
            StringBuilder b = new StringBuilder("{");
            Iterator<Map.Entry<String, JsonNode>> it = v.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                b.append('\'').append(e.getKey()).append("': ").append(repr(e.getValue()))
                        .append(it.hasNext() ? ", " : "");
            }
            return b.append('}').toString();
        }
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(item -> items.add(repr(item)));
            return "[" + String.join(", ", items) + "]";
        }
        return v.asText();
    }

    static String pythonType(JsonNode v) {
        if (v.isTextual()) {
            return "str";
        }
        if (v.isNull()) {
            return "NoneType";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isIntegralNumber()) {
            return "int";
        }
        if (v.isNumber()) {
            return "float";
        }
        return v.isObject() ? "dict" : "list";
    }
}
