package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Json;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Finished prompts, oldest first, as ComfyUI's PromptQueue.history: an entry appears only once its prompt has run, so
 * a queued or running prompt has none. Capped like ComfyUI (MAXIMUM_HISTORY_SIZE).
 */
final class History {
    private static final int MAX_SIZE = 10_000;
    private final Map<String, ObjectNode> entries = new LinkedHashMap<>();

    synchronized void put(String promptId, ObjectNode entry) {
        if (entries.size() >= MAX_SIZE) {
            Iterator<String> oldest = entries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        entries.put(promptId, entry);
    }

    /** {@code {id: entry}}, or {@code {}} for an unknown (or not yet finished) prompt. */
    synchronized ObjectNode get(String promptId) {
        ObjectNode out = Json.object();
        ObjectNode entry = entries.get(promptId);
        if (entry != null) {
            out.set(promptId, entry.deepCopy());
        }
        return out;
    }

    /** Up to {@code maxItems} entries (null = all) from {@code offset}; a negative offset means "the last ones". */
    synchronized ObjectNode list(Integer maxItems, int offset) {
        int start = offset < 0 && maxItems != null ? entries.size() - maxItems : offset;
        ObjectNode out = Json.object();
        int i = 0;
        for (Map.Entry<String, ObjectNode> e : entries.entrySet()) {
            if (i++ < start) {
                continue;
            }
            if (maxItems != null && out.size() >= maxItems) {
                break;
            }
            out.set(e.getKey(), e.getValue().deepCopy());
        }
        return out;
    }

    synchronized void clear() {
        entries.clear();
    }

    synchronized void delete(Set<String> promptIds) {
        entries.keySet().removeAll(promptIds);
    }
}
