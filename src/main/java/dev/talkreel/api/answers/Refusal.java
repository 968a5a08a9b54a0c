package dev.talkreel.api.answers;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A request talkreel refuses (400, 401, 404, 409, 415, 422, 500): what is wrong, and for a job each field's error. */
public class Refusal {
    @JsonProperty(value = "error", required = true)
    public String error;
    @JsonProperty("message")
    public String message;
    /** For 400 and 415: each refused field (or "body") and why. */
    @JsonProperty("errors")
    public List<FieldProblem> errors;
    /** For 422: the job the Idempotency-Key already names. */
    @JsonProperty("job_id")
    public String jobId;

    /** One refused field. */
    public static class FieldProblem {
        @JsonProperty(value = "field", required = true)
        public String field;
        @JsonProperty(value = "message", required = true)
        public String message;
    }
}
