package dev.talkreel.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    static List<EndpointUse> of(ModelCamelContext model) {
        List<EndpointUse> uses = new ArrayList<>();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            Map<String, Object> params = route.getTemplateParameters() == null ? Map.of() : route.getTemplateParameters();
            if (route.getInput() != null) {
                uses.add(use(route.getInput().getEndpointUri(), true, false, route.getInput(), route.getRouteId(), params));
            }
            outputs(route.getOutputs(), route.getRouteId(), params, uses);
        }
        for (RouteConfigurationDefinition configuration : model.getRouteConfigurationDefinitions()) {
            List<ProcessorDefinition<?>> parts = new ArrayList<>();
            parts.addAll(configuration.getOnExceptions());
            parts.addAll(configuration.getIntercepts());
            parts.addAll(configuration.getInterceptFroms());
            parts.addAll(configuration.getInterceptSendTos());
            parts.addAll(configuration.getOnCompletions());
            outputs(parts, "routeConfiguration " + configuration.getId(), Map.of(), uses);
        }
        return uses;
    }

    private static void outputs(List<ProcessorDefinition<?>> outputs, String routeId, Map<String, Object> params,
            List<EndpointUse> uses) {
        for (SendDefinition<?> to : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, SendDefinition.class)) {
            uses.add(use(to.getEndpointUri(), false, false, to, routeId, params));
        }
        // toD and wireTap: the URI may hold ${...}, resolved per message
        for (ToDynamicDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(outputs, ToDynamicDefinition.class)) {
            uses.add(use(to.getUri(), false, to.getUri() != null && to.getUri().contains("${"), to, routeId, params));
        }
    }

    private static EndpointUse use(String uri, boolean consumer, boolean dynamic, LineNumberAware node, String routeId,
            Map<String, Object> params) {
        return new EndpointUse(uri == null ? "" : uri, consumer, dynamic, Sources.display(node.getLocation()),
                node.getLineNumber(), routeId, params);
    }
}
