package dev.talkreel.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.LinkedHashMap;
import java.util.Map;

/** The state of one step of one job, as stored in job.json and shown by GET /api/jobs/{id}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StepRecord {
    public Status state = Status.PENDING;
    public int attempt;
    /** The service's own id for the work (yttools task id, ComfyUI prompt id), kept so a restart can resume it. */
    public String taskId;
    /** The run of talkreel working on the step while it runs: after a restart, a step owned by another run was cut off. */
    public String owner;
    public String started;
    public String ended;
    public Long elapsedMs;
    public String artifact;
    public StepError error;
    /** Step-specific facts (durations, sizes, the service-side paths used). */
    // any JSON values (the OpenAPI document says so; by default it would say each value is an object)
    @Schema(additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    public Map<String, Object> details = new LinkedHashMap<>();

    /** Why a step failed: the error class, a sentence a person understands, and at which attempt. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class StepError {
        public String errorClass;
        public String message;
        public int attempt;
        public String at;

        public StepError() {
        }

        public StepError(String errorClass, String message, int attempt, String at) {
            this.errorClass = errorClass;
            this.message = message;
            this.attempt = attempt;
            this.at = at;
        }
    }
}
