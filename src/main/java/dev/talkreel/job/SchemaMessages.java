package dev.talkreel.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A schema verdict in words a person understands, naming the field as the job spells it ({@code segment_end},
 * {@code voice.cfg_scale}). A field's {@code "message"} object in the schema wins (e.g. the language pattern's);
 * otherwise the sentence is made from the keyword and the field's own bounds.
 */
final class SchemaMessages {
    private final JsonNode schema;

    SchemaMessages(JsonNode schema) {
        this.schema = schema;
    }

    FieldError explain(ValidationMessage m) {
        String keyword = m.getType();
        JsonNode value = m.getInstanceNode();
        JsonNode fieldSchema = at(m.getSchemaLocation().getFragment().getParent());
        String parent = field(m.getInstanceLocation());
        if ("required".equals(keyword)) {
            return new FieldError(join(parent, m.getProperty()), "is required");
        }
        if ("additionalProperties".equals(keyword)) {
            List<String> known = new ArrayList<>();
            fieldSchema.path("properties").fieldNames().forEachRemaining(known::add);
            return new FieldError(join(parent, m.getProperty()), "is not a known field (known: "
                    + String.join(", ", known) + ")");
        }
        JsonNode custom = fieldSchema.path(JobSchema.MESSAGE_KEYWORD).path(keyword);
        if (custom.isTextual()) {
            return new FieldError(parent, custom.textValue());
        }
        return new FieldError(parent, switch (keyword) {
            case "type" -> !value.isNumber() || !"integer".equals(m.getSchemaNode().asText())
                    ? "must be " + article(m.getSchemaNode()) + ", not " + kind(value)
                    // 1e400 reads as Infinity: out of bounds rather than a fraction
                    : Double.isFinite(value.doubleValue()) ? "must be a whole number"
                    : bounds(fieldSchema) + ", got " + value.asText();
            case "minimum", "maximum" -> bounds(fieldSchema) + ", got " + value.asText();
            case "maxLength" -> "is " + length(value) + " characters long; at most " + m.getSchemaNode().asText();
            case "minLength" -> "is " + length(value) + " characters long; at least " + m.getSchemaNode().asText();
            case "enum" -> "must be " + oneOf(m.getSchemaNode());
            default -> withoutLocation(m);
        });
    }

    /** The schema node at a path of the schema document (the field's own schema, for its bounds and messages). */
    private JsonNode at(JsonNodePath path) {
        JsonNode node = schema;
        for (int i = 0; path != null && i < path.getNameCount(); i++) {
            Object e = path.getElement(i);
            node = e instanceof Integer index ? node.path(index) : node.path(String.valueOf(e));
        }
        return node;
    }

    /** A location in the job as a field name: names joined with dots, array items as [n]. */
    static String field(JsonNodePath path) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; path != null && i < path.getNameCount(); i++) {
            Object e = path.getElement(i);
            if (e instanceof Integer index) {
                b.append('[').append(index).append(']');
            } else {
                b.append(b.length() == 0 ? "" : ".").append(FieldError.shown(String.valueOf(e)));
            }
        }
        return b.toString();
    }

    private static String join(String parent, String name) {
        return parent.isEmpty() ? FieldError.shown(name) : parent + "." + FieldError.shown(name);
    }

    private static String bounds(JsonNode fieldSchema) {
        JsonNode min = fieldSchema.path("minimum");
        JsonNode max = fieldSchema.path("maximum");
        if (min.isNumber() && max.isNumber()) {
            return "must be between " + min.asText() + " and " + max.asText();
        }
        return min.isNumber() ? "must be at least " + min.asText() : "must be at most " + max.asText();
    }

    private static String article(JsonNode type) {
        String t = type.isArray() ? type.toString() : type.asText();
        return t.startsWith("a") || t.startsWith("i") || t.startsWith("o") ? "an " + t : "a " + t;
    }

    private static String kind(JsonNode value) {
        return value.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    private static int length(JsonNode value) {
        String s = value.asText();
        return s.codePointCount(0, s.length());
    }

    private static String oneOf(JsonNode values) {
        List<String> shown = new ArrayList<>();
        values.forEach(v -> shown.add(v.isTextual() ? v.textValue() : v.toString()));
        if (shown.size() == 1) {
            return shown.get(0);
        }
        return String.join(", ", shown.subList(0, shown.size() - 1)) + " or " + shown.get(shown.size() - 1);
    }

    /** networknt's own sentence, without the location it starts with (the field is named beside it). */
    private static String withoutLocation(ValidationMessage m) {
        String text = m.getMessage();
        int colon = text.indexOf(": ");
        return colon >= 0 && text.substring(0, colon).equals(String.valueOf(m.getInstanceLocation()))
                ? text.substring(colon + 2) : text;
    }
}
