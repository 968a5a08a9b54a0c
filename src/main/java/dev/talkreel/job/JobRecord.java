package dev.talkreel.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one job: written to jobs/&lt;id&gt;/job.json at every transition. It is the one place a job's
 * state is written; the API reads it, a restart reads it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JobRecord {
    public String jobId;
    public Status status = Status.QUEUED;
    public String currentStep;
    public String source;
    public String idempotencyKey;
    public String created;
    public String updated;
    public String finished;
    public JobRequest input;
    public Map<String, StepRecord> steps = new LinkedHashMap<>();
    public StepRecord.StepError error;
    // any JSON values (the OpenAPI document says so; by default it would say each value is an object)
    @Schema(additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    public Map<String, Object> result;
    /** Operator actions (retry, cancel) with their time, for the record. */
    @ArraySchema(schema = @Schema(type = "object", additionalProperties = Schema.AdditionalPropertiesValue.TRUE))
    public List<Map<String, Object>> events = new ArrayList<>();

    public StepRecord step(String name) {
        return steps.computeIfAbsent(name, k -> new StepRecord());
    }

    @JsonIgnore
    public boolean isTerminal() {
        return status == Status.DONE || status == Status.FAILED || status == Status.CANCELLED;
    }
}
