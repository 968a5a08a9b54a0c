package dev.talkreel.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * Every status a job and a step can have, in one place, with the name job.json, the API and the result message give
 * it. A job is queued, running, done, failed or cancelled; a step is pending, waiting_for_gpu, running, done, failed or
 * cancelled.
 */
public enum Status {
    QUEUED("queued"),
    PENDING("pending"),
    WAITING_FOR_GPU("waiting_for_gpu"),
    RUNNING("running"),
    DONE("done"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String json;

    Status(String json) {
        this.json = json;
    }

    @JsonValue
    public String json() {
        return json;
    }

    @JsonCreator
    public static Status of(String json) {
        return Arrays.stream(values()).filter(s -> s.json.equals(json)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no status " + json));
    }

    @Override
    public String toString() {
        return json;
    }
}
