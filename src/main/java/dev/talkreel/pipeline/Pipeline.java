package dev.talkreel.pipeline;

import dev.talkreel.job.JobMarkers;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

/**
 * The steps of the pipeline, as routes/ declares them: every route made from the {@code step} template
 * (routes/template-step.camel.yaml, the template with the parameters {@code step} and {@code after}) declares one
 * step with its template parameters. Nothing about the steps is
 * compiled in: adding a step is adding a YAML file. Read from the Camel model the first time it is asked, once the
 * routes are added (and checked then: unknown or circular {@code after} steps, a step declared twice).
 */
public final class Pipeline {
    private final CamelContext camel;
    private final Path jobs;
    private volatile Map<String, StepDefinition> steps;

    public Pipeline(CamelContext camel, Path jobs) {
        this.camel = camel;
        this.jobs = jobs;
    }

    /** The declared steps, each after the steps it waits for, otherwise in the order the files declare them. */
    public List<StepDefinition> steps() {
        return List.copyOf(declared().values());
    }

    /** The names of the declared steps, in order. */
    public List<String> ids() {
        return List.copyOf(declared().keySet());
    }

    public Optional<StepDefinition> find(String id) {
        return Optional.ofNullable(id == null ? null : declared().get(id));
    }

    public StepDefinition step(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("no step " + id + " is declared in routes/"));
    }

    /** The step an exchange runs (its {@code step} property); fails outside any declared step. */
    public StepDefinition current(Exchange exchange) {
        return step(exchange.getProperty(Props.STEP, String.class));
    }

    /** The step an exchange runs (its {@code step} property), or null outside any declared step. */
    public StepDefinition stepOf(Exchange exchange) {
        return find(exchange.getProperty(Props.STEP, String.class)).orElse(null);
    }

    /**
     * The watcher's file filter: whether the marker at {@code markerPath} (job/&lt;step&gt;.done.json, relative to the
     * jobs folder) is one {@code step} waits for, and all the markers it waits for are on disk (the files are the
     * truth: a step after several others starts once the last of them is done).
     */
    public boolean isReady(String step, String markerPath) {
        Path marker = Path.of(markerPath);
        String name = marker.getFileName().toString();
        StepDefinition def = declared().get(step);
        if (def == null || marker.getParent() == null || !name.endsWith(JobMarkers.SUFFIX)
                || !def.after().contains(name.substring(0, name.length() - JobMarkers.SUFFIX.length()))) {
            return false;
        }
        Path dir = jobs.resolve(marker.getParent());
        // every marker, the one just listed too: a job archived since the listing (its folder moved) starts nothing
        return def.after().stream()
                .allMatch(s -> Files.isRegularFile(dir.resolve(JobMarkers.name(s)), LinkOption.NOFOLLOW_LINKS));
    }

    /** Whether a job's gathered markers (keyed by step) include every declared step: the job is complete. */
    public boolean isComplete(Map<String, Object> markers) {
        return markers != null && markers.keySet().containsAll(declared().keySet());
    }

    /** The step whose artifact is the job's published result (publish: true), or null. */
    public StepDefinition published() {
        return declared().values().stream().filter(StepDefinition::publish).findFirst().orElse(null);
    }

    private Map<String, StepDefinition> declared() {
        Map<String, StepDefinition> known = steps;
        if (known == null) {
            known = read();
            if (!known.isEmpty()) {
                // routes are added once (route reload is refused at start): what is declared now stays
                steps = known;
            }
        }
        return known;
    }

    private Map<String, StepDefinition> read() {
        Map<String, StepDefinition> found = new LinkedHashMap<>();
        for (RouteDefinition route : ((ModelCamelContext) camel).getRouteDefinitions()) {
            Map<String, Object> p = route.getTemplateParameters();
            // the model does not keep which template made a route: the step template's own parameters tell
            if (!route.isCreatedFromTemplate() || p == null || !p.containsKey("step") || !p.containsKey("after")) {
                continue;
            }
            StepDefinition step = new StepDefinition(value(p, "step"),
                    Arrays.stream(value(p, "after").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                    value(p, "service"), value(p, "serviceName"), value(p, "artifact"),
                    Boolean.parseBoolean(value(p, "gpu")), Boolean.parseBoolean(value(p, "publish")));
            if (found.put(step.id(), step) != null) {
                throw new StepDeclarationException(step.id(), "step " + step.id()
                        + " is declared twice in routes/ (route "
                        + route.getRouteId() + ")");
            }
        }
        Map<String, StepDefinition> ordered = ordered(found);
        List<String> publishing = ordered.values().stream().filter(StepDefinition::publish).map(StepDefinition::id)
                .toList();
        if (!ordered.isEmpty() && publishing.size() != 1) {
            throw new StepDeclarationException(null,
                    "exactly one step must publish the job's video (publish: \"true\"), not "
                    + publishing);
        }
        return ordered;
    }

    private String value(Map<String, Object> parameters, String name) {
        Object v = parameters.get(name);
        return v == null ? "" : camel.resolvePropertyPlaceholders(String.valueOf(v)).trim();
    }

    /** Each step after the steps it waits for; refuses an unknown step in {@code after}, and a circle. */
    private static Map<String, StepDefinition> ordered(Map<String, StepDefinition> declared) {
        Map<String, StepDefinition> out = new LinkedHashMap<>();
        for (StepDefinition step : declared.values()) {
            place(step, declared, out, new LinkedHashSet<>());
        }
        return out;
    }

    private static void place(StepDefinition step, Map<String, StepDefinition> declared, Map<String, StepDefinition> out,
            Set<String> path) {
        if (out.containsKey(step.id())) {
            return;
        }
        if (!path.add(step.id())) {
            throw new StepDeclarationException(step.id(), "the steps in routes/ wait for each other in a circle: "
                    + path);
        }
        if (step.after().isEmpty()) {
            throw new StepDeclarationException(step.id(), "step " + step.id()
                    + " names no step it comes after (after: intake for a "
                    + "first step)");
        }
        for (String before : step.after()) {
            if (JobMarkers.INTAKE.equals(before)) {
                continue;
            }
            StepDefinition b = declared.get(before);
            if (b == null) {
                throw new StepDeclarationException(step.id(), "step " + step.id() + " comes after step " + before
                        + ", which no file in routes/ declares; declared: " + new ArrayList<>(declared.keySet()));
            }
            place(b, declared, out, path);
        }
        path.remove(step.id());
        out.put(step.id(), step);
    }
}
