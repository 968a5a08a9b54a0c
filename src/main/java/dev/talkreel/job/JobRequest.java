package dev.talkreel.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A validated job: what the user asked for, with defaults filled in. Built only by {@link JobValidator}, so every
 * value here has been checked (the YouTube URL is already the canonical form of an allowed video id).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JobRequest {
    public String youtubeUrl;
    public String videoId;
    public String script;
    public String portraitPrompt;
    public double segmentStart;
    public double segmentEnd;
    public String language;
    public Long seed;
    public String resolution;
    public Integer diffusionSteps;
    public Double textGuideScale;
    public Double audioGuideScale;
}
