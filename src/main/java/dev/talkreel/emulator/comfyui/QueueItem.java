package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Json;
import java.util.List;

/**
 * One accepted prompt: ComfyUI's queue tuple {@code (number, prompt_id, prompt, extra_data, outputs_to_execute)}.
 * {@code number} orders the queue (a client may send its own, or ask for the front); {@code seq} keeps FIFO order
 * among equal numbers.
 */
record QueueItem(Number number, long seq, String promptId, ObjectNode prompt, ObjectNode extraData,
                 List<String> outputs) {

    /** The client that asked for websocket events, or null. */
    String clientId() {
        return extraData.hasNonNull("client_id") ? extraData.get("client_id").asText() : null;
    }

    /** The 5-element array that /queue and the history entry show (the sensitive 6th element is never kept). */
    ArrayNode toJson() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        a.addPOJO(number);
        a.add(promptId);
        a.add(prompt);
        a.add(extraData);
        outputs.forEach(a.addArray()::add);
        return a;
    }
}
