package dev.talkreel.api.answers;

import com.fasterxml.jackson.annotation.JsonProperty;

/** POST /api/jobs: 202 for a new job, 200 for the job an earlier request with the same Idempotency-Key made. */
public class JobAccepted {
    @JsonProperty(value = "job_id", required = true)
    public String jobId;
    @JsonProperty(value = "status_url", required = true)
    public String statusUrl;
    @JsonProperty(value = "status", required = true)
    public String status;
    /** true when the job is the one an earlier request with the same key made. */
    @JsonProperty("existing")
    public Boolean existing;
}
