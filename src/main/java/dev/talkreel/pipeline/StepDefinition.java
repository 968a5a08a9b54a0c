package dev.talkreel.pipeline;

import java.util.List;

/**
 * One step as routes/ declares it: the parameters of one {@code templatedRoute} of the {@code step} template
 * (routes/template-step.camel.yaml).
 *
 * @param id the step's name in job records, marker files and routes (audio, voice, ...)
 * @param after the steps whose done markers it needs; {@code intake} for a step that needs only the job
 * @param service the prefix of its settings, talkreel.&lt;service&gt;.* (retry, deadline, limits)
 * @param serviceName the name results and error messages give the service
 * @param artifact the file the step leaves in the job folder
 * @param gpu whether it runs inside a GPU slot
 * @param publish whether its artifact is the job's published result (outbox/&lt;id&gt;.mp4)
 */
public record StepDefinition(String id, List<String> after, String service, String serviceName, String artifact,
        boolean gpu, boolean publish) {
    public StepDefinition {
        after = List.copyOf(after);
    }
}
