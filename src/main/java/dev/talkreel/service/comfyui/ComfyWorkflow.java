package dev.talkreel.service.comfyui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The ComfyUI workflow file, parsed once at start, and where each job field goes in it
 * ({@code talkreel.comfyui.bind.<field> = <node>.<input>[,<node>.<input>...]}, {@code talkreel.comfyui.bind.output =
 * <node>}). ComfyUI ignores inputs a node does not have, so a wrong binding would render silently with the workflow's
 * fixed prompt or seed: every binding is checked against the file here, and a wrong one refuses the start with the
 * setting, the node, its class_type and the inputs it does have.
 */
public final class ComfyWorkflow {
    public static final String WORKFLOW = "talkreel.comfyui.workflow";
    public static final String BIND = "talkreel.comfyui.bind.";
    /** The job fields written into the workflow; each must be bound. */
    public static final List<String> FIELDS = List.of("prompt", "seed", "width", "height");
    public static final String OUTPUT = "output";
    /** The output node's input that carries the per-job file name. */
    static final String FILENAME_PREFIX = "filename_prefix";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ObjectNode graph;
    private final Map<String, List<Target>> bindings;
    private final String outputNode;

    /** One input of one node. */
    public record Target(String node, String input) {
    }

    /** A wrong setting: which one, and what is wrong with it. */
    public record Issue(String setting, String message) {
        @Override
        public String toString() {
            return setting + ": " + message;
        }
    }

    /** The workflow file or its bindings are wrong: a configuration error, found before any job runs. */
    public static final class InvalidException extends IllegalArgumentException {
        private final transient List<Issue> issues;

        InvalidException(List<Issue> issues) {
            super("the ComfyUI workflow cannot be used: " + String.join("; ", issues.stream().map(Issue::toString)
                    .toList()));
            this.issues = List.copyOf(issues);
        }

        public List<Issue> issues() {
            return issues;
        }
    }

    private ComfyWorkflow(ObjectNode graph, Map<String, List<Target>> bindings, String outputNode) {
        this.graph = graph;
        this.bindings = bindings;
        this.outputNode = outputNode;
    }

    /**
     * Reads {@code file} and the bindings from {@code settings} (a key to its value, null when not set).
     *
     * @throws InvalidException naming every wrong setting
     */
    public static ComfyWorkflow load(Path file, Function<String, String> settings) {
        List<Issue> issues = new ArrayList<>();
        ObjectNode graph = read(file, issues);
        if (graph == null) {
            throw new InvalidException(issues);
        }
        Map<String, List<Target>> bindings = new LinkedHashMap<>();
        for (String field : FIELDS) {
            bindings.put(field, targets(graph, file, BIND + field, settings.apply(BIND + field), issues));
        }
        String output = output(graph, file, settings.apply(BIND + OUTPUT), issues);
        if (!issues.isEmpty()) {
            throw new InvalidException(issues);
        }
        return new ComfyWorkflow(graph, bindings, output);
    }

    /** The problems {@link #load} would refuse with, none when the workflow and its bindings are sound. */
    public static List<Issue> issues(Path file, Function<String, String> settings) {
        try {
            load(file, settings);
            return List.of();
        } catch (InvalidException e) {
            return e.issues();
        }
    }

    /** The id of the node whose saved image is the portrait. */
    public String outputNode() {
        return outputNode;
    }

    /** Where {@code field} is written. */
    public List<Target> targets(String field) {
        return bindings.get(field);
    }

    /**
     * A fresh copy of the workflow with each field's value in every input bound to it, and the output node's
     * filename_prefix set to {@code filenamePrefix} (each job its own file, even when ComfyUI answers from its cache).
     */
    public ObjectNode fill(Map<String, ?> values, String filenamePrefix) {
        ObjectNode copy = graph.deepCopy();
        values.forEach((field, value) -> {
            List<Target> targets = bindings.get(field);
            if (targets == null) {
                throw new IllegalArgumentException("no ComfyUI binding for the field '" + field + "'");
            }
            for (Target t : targets) {
                ((ObjectNode) copy.get(t.node()).get("inputs")).set(t.input(), MAPPER.valueToTree(value));
            }
        });
        ((ObjectNode) copy.get(outputNode).get("inputs")).put(FILENAME_PREFIX, filenamePrefix);
        return copy;
    }

    private static ObjectNode read(Path file, List<Issue> issues) {
        try {
            JsonNode tree = MAPPER.readTree(Files.readString(file));
            if (tree instanceof ObjectNode graph && graph.size() > 0) {
                return graph;
            }
            issues.add(new Issue(WORKFLOW, "the workflow " + file + " is not an API-format workflow (a JSON object of "
                    + "nodes by id; export it with 'Save (API)')"));
        } catch (NoSuchFileException e) {
            issues.add(new Issue(WORKFLOW, "the workflow file " + file + " does not exist"));
        } catch (JsonProcessingException e) {
            issues.add(new Issue(WORKFLOW, "the workflow " + file + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": "
                    + e.getOriginalMessage() + ")"));
        } catch (IOException e) {
            issues.add(new Issue(WORKFLOW, "the workflow " + file + " cannot be read (" + e + ")"));
        }
        return null;
    }

    private static List<Target> targets(ObjectNode graph, Path file, String setting, String value,
                                        List<Issue> issues) {
        List<Target> targets = new ArrayList<>();
        if (value == null || value.isBlank()) {
            issues.add(new Issue(setting, "not set; it names the <node id>.<input> of " + file + " to write into"));
            return targets;
        }
        for (String part : value.split(",")) {
            String spec = part.trim();
            int dot = spec.lastIndexOf('.');
            if (dot <= 0 || dot == spec.length() - 1) {
                issues.add(new Issue(setting, "'" + spec + "' is not <node id>.<input> (e.g. 3.seed)"));
                continue;
            }
            Target target = new Target(spec.substring(0, dot), spec.substring(dot + 1));
            JsonNode node = node(graph, file, setting, target.node(), issues);
            if (node == null) {
                continue;
            }
            JsonNode input = node.get("inputs").get(target.input());
            if (input == null) {
                issues.add(new Issue(setting, "node " + target.node() + " (" + classType(node) + ") of " + file
                        + " has no input '" + target.input() + "'; its inputs are " + inputNames(node)));
            } else if (input.isArray()) {
                issues.add(new Issue(setting, "input '" + target.input() + "' of node " + target.node() + " ("
                        + classType(node) + ") is a link from node " + input.path(0).asText()
                        + ", not a value talkreel can set"));
            } else {
                targets.add(target);
            }
        }
        return List.copyOf(targets);
    }

    private static String output(ObjectNode graph, Path file, String value, List<Issue> issues) {
        String setting = BIND + OUTPUT;
        if (value == null || value.isBlank()) {
            issues.add(new Issue(setting, "not set; it names the node of " + file + " whose saved image is the portrait"));
            return null;
        }
        String id = value.trim();
        JsonNode node = node(graph, file, setting, id, issues);
        if (node != null && !node.get("inputs").has(FILENAME_PREFIX)) {
            issues.add(new Issue(setting, "node " + id + " (" + classType(node) + ") of " + file + " saves no file "
                    + "(no input '" + FILENAME_PREFIX + "'; its inputs are " + inputNames(node) + "); name a SaveImage"
                    + " node"));
        }
        return id;
    }

    /** The node with its inputs, or null after recording what the workflow has instead. */
    private static JsonNode node(ObjectNode graph, Path file, String setting, String id, List<Issue> issues) {
        JsonNode node = graph.get(id);
        if (node == null || !node.path("inputs").isObject()) {
            List<String> nodes = new ArrayList<>();
            graph.fields().forEachRemaining(e -> nodes.add(e.getKey() + " (" + classType(e.getValue()) + ")"));
            issues.add(new Issue(setting, "the workflow " + file + " has no node " + id + " with inputs; its nodes are "
                    + String.join(", ", nodes)));
            return null;
        }
        return node;
    }

    private static String classType(JsonNode node) {
        return node.path("class_type").asText("no class_type");
    }

    private static String inputNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.get("inputs").fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
