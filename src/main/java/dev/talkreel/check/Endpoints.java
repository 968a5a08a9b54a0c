package dev.talkreel.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.LineNumberAware;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;

/**
 * Every endpoint URI of the loaded model: the inputs and outputs of routes (templated routes included, each with its
 * template parameters; rest verbs are routes by now) and the outputs of route configurations (onException, intercepts,
 * onCompletion).
 */
final class Endpoints {
    private Endpoints() {
    }

    static List<EndpointUse> of(ModelCamelContext model, List<String> routeFiles, Sources sources) {
        List<EndpointUse> uses = new ArrayList<>();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            Map<String, Object> params = route.getTemplateParameters() == null ? Map.of() : route.getTemplateParameters();
            Site site = new Site(route.getRouteId(), params, params.isEmpty() ? "" : declaredAt(route.getRouteId(),
                    routeFiles, sources));
            if (route.getInput() != null) {
                uses.add(use(route.getInput().getEndpointUri(), true, false, route.getInput(), site));
            }
            outputs(route.getOutputs(), site, uses);
        }
        for (RouteConfigurationDefinition configuration : model.getRouteConfigurationDefinitions()) {
            List<ProcessorDefinition<?>> parts = new ArrayList<>();
            parts.addAll(configuration.getOnExceptions());
            parts.addAll(configuration.getIntercepts());
            parts.addAll(configuration.getInterceptFroms());
            parts.addAll(configuration.getInterceptSendTos());
            parts.addAll(configuration.getOnCompletions());
            outputs(parts, new Site("routeConfiguration " + configuration.getId(), Map.of(), ""), uses);
        }
        return uses;
    }

    /** The route an endpoint is in, its template parameters, and where a templated one is declared. */
    private record Site(String routeId, Map<String, Object> params, String templatedAt) {
    }

    private static void outputs(List<ProcessorDefinition<?>> outputs, Site site, List<EndpointUse> uses) {
        for (SendDefinition<?> to : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, SendDefinition.class)) {
            uses.add(use(to.getEndpointUri(), false, false, to, site));
        }
        // toD and wireTap: the URI may hold ${...}, resolved per message
        for (ToDynamicDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, ToDynamicDefinition.class)) {
            uses.add(use(to.getUri(), false, to.getUri() != null && to.getUri().contains("${"), to, site));
        }
    }

    private static EndpointUse use(String uri, boolean consumer, boolean dynamic, LineNumberAware node, Site site) {
        return new EndpointUse(uri == null ? "" : uri, consumer, dynamic, Sources.display(node.getLocation()),
                node.getLineNumber(), site.routeId(), site.params(), site.templatedAt());
    }

    /** file:line of the templatedRoute that declares this route id (the model keeps only the template's lines). */
    private static String declaredAt(String routeId, List<String> routeFiles, Sources sources) {
        Pattern declaration = Pattern.compile("^\\s*routeId:\\s*[\"']?" + Pattern.quote(routeId) + "[\"']?\\s*$");
        for (String file : routeFiles) {
            int line = sources.find(file, declaration, 1);
            if (line > 0) {
                return Sources.display(file) + ":" + line;
            }
        }
        return "";
    }
}
