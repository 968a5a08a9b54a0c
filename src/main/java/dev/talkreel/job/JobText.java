package dev.talkreel.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What holds for every text of a job, whatever the schema declares: no control characters (tab and line breaks
 * apart) and no half characters, which no service could read. Before the schema sees a job, a null value and a blank
 * text where the schema expects text are taken out (the same as leaving the field out), and every text is trimmed.
 */
final class JobText {
    private final Predicate<String> textField;
    /** The names of the fields taken out because they were blank: a required one is "must not be blank". */
    final Set<String> blank = new TreeSet<>();
    final List<FieldError> errors = new ArrayList<>();

    /** {@code textField} says whether the schema expects text in a field ({@link JobSchema#isText}). */
    JobText(Predicate<String> textField) {
        this.textField = textField;
    }

    /** Cleans the job in place; a text that cannot be read is taken out too, with its error. */
    void clean(ObjectNode node, String parent) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = parent.isEmpty() ? FieldError.shown(e.getKey()) : parent + "." + FieldError.shown(e.getKey());
            JsonNode v = e.getValue();
            if (v.isNull()) {
                it.remove();
            } else if (v.isTextual() && v.textValue().isBlank() && textField.test(field)) {
                blank.add(field);
                it.remove();
            } else if (v.isTextual()) {
                if (unreadable(field, v.textValue())) {
                    it.remove();
                } else {
                    e.setValue(TextNode.valueOf(v.textValue().trim()));
                }
            } else {
                cleanInside(v, field);
            }
        }
    }

    private void cleanInside(JsonNode v, String field) {
        if (v instanceof ObjectNode o) {
            clean(o, field);
        } else if (v instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isTextual()) {
                    unreadable(field + "[" + i + "]", a.get(i).textValue());
                } else {
                    cleanInside(a.get(i), field + "[" + i + "]");
                }
            }
        }
    }

    private boolean unreadable(String field, String v) {
        if (v.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r')) {
            errors.add(new FieldError(field, "contains control characters"));
            return true;
        }
        // a JSON escape such as \ud800 decodes to half a character: not text any service could read
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(v)) {
            errors.add(new FieldError(field, "contains an unpaired surrogate escape (\\ud800-\\udfff), which is "
                    + "not a character"));
            return true;
        }
        return false;
    }
}
