package dev.talkreel.check;

import dev.talkreel.pipeline.Pipeline;
import dev.talkreel.pipeline.StepDeclarationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

/**
 * The steps declared in routes/ checked as {@code serve} checks them when its routes are added (Pipeline): an unknown
 * or circular {@code after}, a step declared twice, not exactly one publishing step. Reported at the declaration of
 * the step at fault (the {@code templatedRoute} whose {@code routeId} made its watcher: Camel keeps no line for a
 * templated route), else at the first route file.
 */
final class StepDeclarations {
    private StepDeclarations() {
    }

    static List<Problem> check(CamelContext camel, List<String> routeFiles, Sources sources) {
        try {
            // the folder is only read when a watcher asks whether a job is ready: never here
            new Pipeline(camel, Path.of(".")).ids();
            return List.of();
        } catch (StepDeclarationException e) {
            RouteDefinition at = declarationOf(camel, e.step());
            if (at != null) {
                Pattern declared = Pattern.compile("^\\s*routeId:\\s*[\"']?" + Pattern.quote(at.getRouteId())
                        + "[\"']?\\s*$");
                for (String file : routeFiles) {
                    int line = sources.find(file, declared, 1);
                    if (line > 0) {
                        return List.of(new Problem(Sources.display(file), line, e.getMessage()));
                    }
                }
            }
            return List.of(new Problem(Sources.display(routeFiles.get(0)), 0, e.getMessage()));
        }
    }

    private static RouteDefinition declarationOf(CamelContext camel, String step) {
        if (step == null) {
            return null;
        }
        RouteDefinition last = null;
        for (RouteDefinition route : ((ModelCamelContext) camel).getRouteDefinitions()) {
            Map<String, Object> p = route.getTemplateParameters();
            if (route.isCreatedFromTemplate() && p != null && step.equals(String.valueOf(p.get("step")))) {
                last = route; // a step declared twice is reported at its second declaration
            }
        }
        return last;
    }
}
