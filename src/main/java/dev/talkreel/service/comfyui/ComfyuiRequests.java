package dev.talkreel.service.comfyui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.StepFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ComfyUI's requests (docs/SERVICES.md §1): the workflow from config, filled in for the job. */
public final class ComfyuiRequests {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JobStore jobs;
    private final Settings settings;

    /** The workflow file, the ids of the nodes filled in (prompt, seed, size), the image size and default prompt. */
    public record Settings(Path workflow, Map<String, String> nodes, int width, int height,
                           String defaultPrompt) {
    }

    public ComfyuiRequests(JobStore jobs, Settings settings) {
        this.jobs = jobs;
        this.settings = settings;
    }

    /** POST /prompt: the workflow template from config with the prompt, seed and size filled in. */
    public Map<String, Object> prompt(String jobId) throws IOException {
        JobRequest in = jobs.get(jobId).input;
        ObjectNode workflow = (ObjectNode) MAPPER.readTree(Files.readString(settings.workflow()));
        Map<String, String> nodes = settings.nodes();
        inputs(workflow, nodes.get("prompt")).put("text", in.portraitPrompt != null ? in.portraitPrompt
                : settings.defaultPrompt());
        inputs(workflow, nodes.get("seed")).put("seed", seed(jobId, in));
        inputs(workflow, nodes.get("size")).put("width", settings.width()).put("height", settings.height());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", workflow);
        body.put("client_id", "talkreel-" + jobId);
        return body;
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

    private static ObjectNode inputs(ObjectNode workflow, String nodeId) {
        if (!workflow.has(nodeId) || !workflow.get(nodeId).has("inputs")) {
            throw new StepFailedException("the ComfyUI workflow has no node " + nodeId
                    + " with inputs (check talkreel.comfyui.node.* against talkreel.comfyui.workflow)");
        }
        return (ObjectNode) workflow.get(nodeId).get("inputs");
    }
}
