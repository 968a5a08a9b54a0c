package dev.talkreel.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;

/**
 * Every {@code {{placeholder}}} written in the route files and in the config file has a value (or a default, or is
 * optional). Read from the text, not the model, so that placeholders anywhere (an aggregator's timeout, a thread
 * pool's size) are seen with their line. Inside a routeTemplate, the template's own parameters are not properties.
 */
final class MissingProperties {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.+?)}}");
    private static final Pattern TOP_LEVEL_ITEM = Pattern.compile("^-");

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
                Set<String> parameters = templateParameters(location, i + 1, model, sources);
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

    /** The parameter names of the routeTemplate this line belongs to (the same top-level item), if any. */
    private static Set<String> templateParameters(String location, int line, ModelCamelContext model, Sources sources) {
        int item = sources.findBackwards(location, TOP_LEVEL_ITEM, line);
        for (RouteTemplateDefinition template : model.getRouteTemplateDefinitions()) {
            if (template.getLocation() != null && Sources.display(template.getLocation()).equals(Sources.display(location))
                    && sources.findBackwards(location, TOP_LEVEL_ITEM, template.getLineNumber()) == item) {
                Set<String> names = new HashSet<>();
                template.getTemplateParameters().forEach(p -> names.add(p.getName()));
                return names;
            }
        }
        return Set.of();
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
