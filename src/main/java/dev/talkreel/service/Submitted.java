package dev.talkreel.service;

import java.util.Map;

/** A service took the work: its id for the task, and what else it said, for the step's record. */
public record Submitted(String taskId, Map<String, Object> facts) {
    public Submitted {
        facts = facts == null ? Map.of() : facts;
    }
}
