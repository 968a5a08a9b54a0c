package dev.talkreel.service.comfyui;

import dev.talkreel.finish.OutputProfile;
import dev.talkreel.finish.OutputProfiles;
import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** ComfyUI's requests (docs/SERVICES.md §1): the workflow parsed at start, filled in for the job. */
public final class ComfyuiRequests {
    private final JobStore jobs;
    private final Settings settings;

    /**
     * The parsed workflow with its bindings, the output profiles (each gives the portrait size its video needs: its
     * orientation picks InfiniteTalk's size bucket), the prompt used when the job names none, and the client id of
     * talkreel's websocket (ComfyuiEvents), to which ComfyUI then sends the prompt's events (asked for at each prompt:
     * it is made at start, after these settings).
     */
    public record Settings(ComfyWorkflow workflow, OutputProfiles profiles, String defaultPrompt,
            Supplier<String> clientId) {
    }

    public ComfyuiRequests(JobStore jobs, Settings settings) {
        this.jobs = jobs;
        this.settings = settings;
    }

    /**
     * POST /prompt: a copy of the workflow with the prompt, seed and size in their bound inputs, and the output saved
     * as {@code talkreel/<job id>/portrait}.
     */
    public Map<String, Object> prompt(String jobId) {
        JobRequest in = jobs.get(jobId).input;
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("prompt", in.portraitPrompt != null ? in.portraitPrompt : settings.defaultPrompt());
        values.put("seed", seed(jobId, in));
        OutputProfile profile = settings.profiles().forJob(jobId);
        values.put("width", profile.portraitWidth());
        values.put("height", profile.portraitHeight());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", settings.workflow().fill(values, filenamePrefix(jobId)));
        body.put("client_id", settings.clientId().get());
        return body;
    }

    /** The output's name: the job's own folder, so a cached graph still saves a new file for each job. */
    static String filenamePrefix(String jobId) {
        return "talkreel/" + jobId + "/portrait";
    }

    /** POST /queue: drop the prompt if it still waits. */
    public Map<String, Object> deleteFromQueue(String promptId) {
        return Map.of("delete", List.of(promptId));
    }

    /** POST /interrupt: stop the prompt if it is the one running. */
    public Map<String, Object> interrupt(String promptId) {
        return Map.of("prompt_id", promptId);
    }

    /** The job's seed, or one derived from its id: a resubmitted prompt then renders the same picture. */
    private static long seed(String jobId, JobRequest in) {
        return in.seed != null ? in.seed : Integer.toUnsignedLong(jobId.hashCode());
    }
}
