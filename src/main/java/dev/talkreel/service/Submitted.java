package dev.talkreel.service;

import java.util.Map;

/**
 * A service took the work: its id for the task, and what else it said, for the step's record.
 *
 * @param refusal null, or why the task cannot give the step its result although the service took it (ComfyUI's
 *                200 with node_errors on the output node): the id is stored, then the task is dropped
 */
public record Submitted(String taskId, Map<String, Object> facts, String refusal) {
    public Submitted {
        facts = facts == null ? Map.of() : facts;
    }

    public Submitted(String taskId, Map<String, Object> facts) {
        this(taskId, facts, null);
    }
}
