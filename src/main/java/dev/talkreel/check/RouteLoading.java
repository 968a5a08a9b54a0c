package dev.talkreel.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.support.PluginHelper;

/**
 * Loads route files into a context that is never started, the way camel-main does (route configurations first, then
 * routes and templates, then templated routes), but one file at a time, so that a broken file is reported with its
 * name and the others still load and are checked.
 */
final class RouteLoading {
    private RouteLoading() {
    }

    private interface Phase {
        void add(RoutesBuilder builder) throws Exception;
    }

    /** The problems of loading; none means every file loaded (the reference checks need them all). */
    static List<Problem> load(CamelContext camel, Collection<Resource> resources, Sources sources) {
        List<Problem> problems = new ArrayList<>();
        RoutesLoader loader = PluginHelper.getRoutesLoader(camel);
        Map<RoutesBuilder, Resource> builders = new LinkedHashMap<>();
        for (Resource resource : resources) {
            try {
                for (RoutesBuilder builder : loader.findRoutesBuilders(resource)) {
                    builders.put(builder, resource);
                }
            } catch (Exception e) {
                problems.add(LoadErrors.of(resource, e, sources));
            }
        }
        Phase[] phases = {
            b -> {
                if (b instanceof RouteConfigurationsBuilder configurations) {
                    camel.addRoutesConfigurations(configurations);
                }
            },
            camel::addRoutes,
            camel::addTemplatedRoutes
        };
        for (Phase phase : phases) {
            for (var it = builders.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                try {
                    phase.add(entry.getKey());
                } catch (Exception e) {
                    // reported once: the file's later phases are skipped
                    problems.add(LoadErrors.of(entry.getValue(), e, sources));
                    it.remove();
                }
            }
        }
        problems.addAll(duplicateRouteIds(builders, sources));
        return problems;
    }

    /**
     * A route id used twice: the model keeps only the last one silently, camel-main refuses to start. Reported at the
     * second use, naming the first.
     */
    private static List<Problem> duplicateRouteIds(Map<RoutesBuilder, Resource> builders, Sources sources) {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> firstUse = new HashMap<>();
        for (Map.Entry<RoutesBuilder, Resource> entry : builders.entrySet()) {
            if (!(entry.getKey() instanceof RouteBuilder builder)) {
                continue;
            }
            List<String> ids = new ArrayList<>();
            for (RouteDefinition route : builder.getRouteCollection().getRoutes()) {
                // a rest verb inlined into its direct: route takes that route's id: one route, not two
                if (route.getInput() == null || !String.valueOf(route.getInput().getEndpointUri()).startsWith("rest:")) {
                    ids.add(route.getRouteId());
                }
            }
            builder.getTemplatedRouteCollection().getTemplatedRoutes().forEach(t -> ids.add(t.getRouteId()));
            String location = entry.getValue().getLocation();
            for (String id : ids) {
                if (id == null) {
                    continue;
                }
                int line = sources.find(location, Pattern.compile("^\\s*-?\\s*(id|routeId):\\s*[\"']?" + Pattern.quote(id)
                        + "[\"']?\\s*$"), 1);
                String here = Sources.display(location) + (line > 0 ? ":" + line : "");
                String first = firstUse.putIfAbsent(id, here);
                if (first != null) {
                    problems.add(new Problem(Sources.display(location), line, "route id '" + id + "' is already used at "
                            + first));
                }
            }
        }
        return problems;
    }
}
