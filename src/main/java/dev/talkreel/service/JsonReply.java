package dev.talkreel.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.pipeline.FailureExplainer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small JSON reply (already read, and capped, by transfers) as an object. Anything else fails the step with the
 * service's own words; it may be a passing fault of the service, so it is retried.
 */
public final class JsonReply {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonReply() {
    }

    public static Map<?, ?> object(String text, String service) {
        Map<?, ?> parsed = parseObject(text);
        if (parsed != null) {
            return parsed;
        }
        throw new ServiceReplyException(service + " answered with " + (text == null || text.isBlank() ? "no body"
                : "something other than a JSON object: " + FailureExplainer.serviceWords(text)));
    }

    /** The reply as a JSON object, or null when it is blank, not JSON, or not an object. */
    public static Map<?, ?> parseObject(String text) {
        try {
            Object parsed = text == null || text.isBlank() ? null : MAPPER.readValue(text, Object.class);
            return parsed instanceof Map<?, ?> m ? m : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The text under {@code key} of a reply that accepted work: its id, which a reply without fails on. */
    public static String requiredText(Map<?, ?> body, String key, String service, String what) {
        if (!(body.get(key) instanceof String text) || text.isBlank()) {
            throw new ServiceReplyException(service + " accepted the " + what + " but returned no " + key + ": " + body);
        }
        return text;
    }

    public static Map<?, ?> asMap(Object o) {
        return o instanceof Map<?, ?> m ? m : null;
    }

    /** Facts for a step's record; unlike Map.of, a service's missing value (null) is kept as null. */
    public static Map<String, Object> facts(Object... keysAndValues) {
        Map<String, Object> facts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            facts.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return facts;
    }
}
