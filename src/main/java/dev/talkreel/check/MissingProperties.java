package dev.talkreel.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.util.StringHelper;

/**
 * Every {@code {{placeholder}}} written in the route files and in the config file has a value (or a default, or is
 * optional). Read from the text, not the model, so that placeholders anywhere (an aggregator's timeout, a thread
 * pool's size) are seen with their line. Inside a routeTemplate, the template's own parameters are not properties.
 */
final class MissingProperties {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.+?)}}");
    private static final Pattern TOP_LEVEL_ITEM = Pattern.compile("^-");
    private static final Pattern NESTED = Pattern.compile("\\{\\{[^}]*\\{\\{");

    private MissingProperties() {
    }

    static List<Problem> inRoutes(List<String> locations, ModelCamelContext model, Sources sources, Resolver resolver) {
        List<Problem> problems = new ArrayList<>();
        for (String location : locations) {
            List<String> lines = sources.lines(location);
            for (int i = 0; i < lines.size(); i++) {
                String text = withoutYamlComment(lines.get(i));
                if (!text.contains("{{")) {
                    continue;
                }
                RouteTemplateDefinition template = templateAt(location, i + 1, model, sources);
                if (template != null && NESTED.matcher(text).find()) {
                    // {{talkreel.{{service}}.url}}: a key made of the template's parameters, so it has a value or not
                    // per use of the template; resolved with each templated route's parameters, as Camel will
                    scanUses(text, location, i + 1, template, model, resolver, problems);
                    continue;
                }
                Set<String> parameters = new HashSet<>();
                if (template != null) {
                    template.getTemplateParameters().forEach(p -> parameters.add(p.getName()));
                }
                scan(text, location, i + 1, parameters, resolver, problems);
            }
        }
        return problems;
    }

    static List<Problem> inConfig(String location, Sources sources, Resolver resolver) {
        List<Problem> problems = new ArrayList<>();
        List<String> lines = sources.lines(location);
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).trim();
            if (!text.startsWith("#") && !text.startsWith("!")) {
                scan(text, location, i + 1, Set.of(), resolver, problems);
            }
        }
        return problems;
    }

    private static void scan(String text, String location, int line, Set<String> parameters, Resolver resolver,
            List<Problem> problems) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            String key = m.group(1).trim();
            if (parameters.contains(key) || key.startsWith("?")) {
                continue;
            }
            if (resolver.resolve(m.group(), Map.of()).isEmpty()) {
                problems.add(new Problem(Sources.display(location), line, "property '" + key + "' has no value and no "
                        + "default (set it in the config file, with -D" + key + "=... or an environment variable)"));
            }
        }
    }

    /** Resolves a line of a template with the parameters of every route made from it, naming the route that lacks. */
    private static void scanUses(String text, String location, int line, RouteTemplateDefinition template,
            ModelCamelContext model, Resolver resolver, List<Problem> problems) {
        for (RouteDefinition route : model.getRouteDefinitions()) {
            Map<String, Object> parameters = route.getTemplateParameters();
            if (route.isCreatedFromTemplate() && parameters != null
                    && madeFrom(parameters, template)
                    && resolver.resolve(text, parameters).isEmpty()) {
                String used = text.trim();
                for (Map.Entry<String, Object> p : parameters.entrySet()) {
                    used = used.replace("{{" + p.getKey() + "}}", String.valueOf(p.getValue()));
                }
                problems.add(new Problem(Sources.display(location), line, "templated route " + route.getRouteId()
                        + " needs a property that has no value: " + used + " (set it in the config file)"));
            }
        }
    }

    /**
     * Whether a route's parameters are those of this template: Camel keeps no template id on the route it makes, but
     * it gives every route all of its template's parameters (defaults included), each also in kebab-case.
     */
    private static boolean madeFrom(Map<String, Object> parameters, RouteTemplateDefinition template) {
        Set<String> names = new HashSet<>();
        template.getTemplateParameters().forEach(p -> {
            names.add(p.getName());
            names.add(StringHelper.camelCaseToDash(p.getName()));
        });
        return names.containsAll(parameters.keySet()) && template.getTemplateParameters().stream()
                .allMatch(p -> parameters.containsKey(p.getName()));
    }

    /** The routeTemplate this line belongs to (the same top-level item), if any. */
    private static RouteTemplateDefinition templateAt(String location, int line, ModelCamelContext model,
            Sources sources) {
        int item = sources.findBackwards(location, TOP_LEVEL_ITEM, line);
        for (RouteTemplateDefinition template : model.getRouteTemplateDefinitions()) {
            if (template.getLocation() != null && Sources.display(template.getLocation()).equals(Sources.display(location))
                    && sources.findBackwards(location, TOP_LEVEL_ITEM, template.getLineNumber()) == item) {
                return template;
            }
        }
        return null;
    }

    /** The line without a trailing YAML comment: a # at the start or after a blank, outside quotes. */
    private static String withoutYamlComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
