package dev.talkreel.api.answers;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** GET /api/jobs: the newest jobs first, and the link to the next page when there may be more. */
public class JobPage {
    @JsonProperty(value = "jobs", required = true)
    public List<JobSummary> jobs;
    @JsonProperty("next")
    public String next;

    /** One job in the list. */
    public static class JobSummary {
        @JsonProperty(value = "job_id", required = true)
        public String jobId;
        @JsonProperty(value = "status", required = true)
        public String status;
        /** null until the job's first step starts. */
        @JsonProperty("current_step")
        @Schema(nullable = true)
        public String currentStep;
        @JsonProperty(value = "created", required = true)
        public String created;
        @JsonProperty(value = "updated", required = true)
        public String updated;
        @JsonProperty(value = "status_url", required = true)
        public String statusUrl;
        /** A failed job's error message. */
        @JsonProperty("error")
        public String error;
    }
}
