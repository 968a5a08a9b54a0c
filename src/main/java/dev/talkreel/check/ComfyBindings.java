package dev.talkreel.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;

/**
 * The ComfyUI workflow the portrait step fills in: {@code talkreel.comfyui.workflow} is a readable API-format JSON
 * file, and each {@code talkreel.comfyui.node.<role>} names a node of it that has the inputs the step writes (or, for
 * the output, reads). Without this, a wrong node id fails every job at its portrait step, after queueing for the GPU.
 */
final class ComfyBindings {
    static final String WORKFLOW = "talkreel.comfyui.workflow";
    static final String NODE = "talkreel.comfyui.node.";
    /** The inputs each role's node must have: what ServiceRequests fills in and ServiceReplies reads. */
    private static final Map<String, List<String>> INPUTS = Map.of("prompt", List.of("text"), "seed", List.of("seed"),
            "size", List.of("width", "height"), "output", List.of("images"));

    private ComfyBindings() {
    }

    static List<Problem> check(CamelContext camel, String configLocation, Sources sources) {
        List<Problem> problems = new ArrayList<>();
        Optional<String> workflowSetting = camel.getPropertiesComponent().resolveProperty(WORKFLOW);
        if (workflowSetting.isEmpty()) {
            return problems; // no ComfyUI step configured
        }
        String config = Sources.display(configLocation);
        Path workflowFile = Path.of(workflowSetting.get().trim());
        JsonNode workflow;
        try {
            workflow = new ObjectMapper().readTree(Files.readString(workflowFile));
        } catch (IOException | RuntimeException e) {
            problems.add(new Problem(config, lineOf(configLocation, WORKFLOW, sources), WORKFLOW + " = " + workflowFile
                    + ": " + (Files.exists(workflowFile) ? "not a JSON workflow (" + LoadErrors.oneLine(String.valueOf(
                            e.getMessage())) + ")" : "no such file")));
            return problems;
        }
        TreeSet<String> roles = new TreeSet<>();
        camel.getPropertiesComponent().loadProperties(k -> k.startsWith(NODE)).stringPropertyNames()
                .forEach(k -> roles.add(k.substring(NODE.length())));
        for (String role : roles) {
            String key = NODE + role;
            String nodeId = camel.getPropertiesComponent().resolveProperty(key).orElse("").trim();
            JsonNode node = workflow.get(nodeId);
            int line = lineOf(configLocation, key, sources);
            if (node == null || !node.has("inputs")) {
                problems.add(new Problem(config, line, key + " = " + nodeId + ": the workflow " + workflowFile
                        + " has no node " + nodeId + " with inputs"));
                continue;
            }
            for (String input : INPUTS.getOrDefault(role, List.of())) {
                if (!node.get("inputs").has(input)) {
                    problems.add(new Problem(config, line, key + " = " + nodeId + ": node " + nodeId + " ("
                            + node.path("class_type").asText("?") + ") of " + workflowFile + " has no input '" + input
                            + "'"));
                }
            }
        }
        return problems;
    }

    private static int lineOf(String configLocation, String key, Sources sources) {
        return sources.find(configLocation, Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:]"), 1);
    }
}
