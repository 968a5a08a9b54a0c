package dev.talkreel.job;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A validated job: what the user asked for, with defaults filled in. Built only by {@link JobValidator}, so every
 * value here has been checked (the YouTube URL is already the canonical form of an allowed video id). A field an
 * integrator adds to config/job.schema.json has no Java field: it is kept by name ({@link #extra(String)}) and
 * written with the others, at the top level of the job's input.
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
    /** landscape, shorts or square (finish/OutputProfiles); null: talkreel.output.profile. */
    public String outputProfile;
    /** Captions burned in and delivered as .srt/.vtt; null: talkreel.captions.enabled. */
    public Boolean captions;
    /** Where the outcome (done or failed) is POSTed, once, signed; only to hosts in talkreel.callback.allowed-hosts. */
    public String callbackUrl;
    private final Map<String, JsonNode> extra = new LinkedHashMap<>();

    /** A field declared in the schema beyond the ones above, as given (trimmed if text); null when not given. */
    public JsonNode extra(String name) {
        return extra.get(name);
    }

    @JsonAnyGetter
    Map<String, JsonNode> extras() {
        return extra;
    }

    @JsonAnySetter
    void extra(String name, JsonNode value) {
        extra.put(name, value);
    }
}
