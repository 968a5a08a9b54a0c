package dev.talkreel.check;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.spi.Resource;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * Turns the exception a route file failed to load with into a problem with a line. YAML syntax and DSL errors carry
 * snakeyaml marks; Camel's own errors (a template id with no template) carry none, so the line is found in the text.
 */
final class LoadErrors {
    private static final Pattern UNSUPPORTED_FIELD = Pattern.compile("Unsupported field: (\\S+)");
    private static final Pattern NO_TEMPLATE = Pattern.compile("Cannot find RouteTemplate with id (\\S+)");

    private LoadErrors() {
    }

    static Problem of(Resource resource, Exception e, Sources sources) {
        String file = Sources.display(resource.getLocation());
        MarkedYamlEngineException marked = find(e, MarkedYamlEngineException.class);
        if (marked != null) {
            int line = marked.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            String problem = marked.getProblem() == null ? "" : marked.getProblem().trim();
            Matcher field = UNSUPPORTED_FIELD.matcher(problem);
            if (field.find()) {
                // the mark is on the value under the key; the key itself is the line to fix
                int keyLine = sources.findBackwards(resource.getLocation(),
                        Pattern.compile("(^|[\\s-])" + Pattern.quote(field.group(1)) + "\\s*:"), line);
                return new Problem(file, keyLine > 0 ? keyLine : line, "unknown YAML DSL key '" + field.group(1) + "'");
            }
            String context = marked.getContext() == null ? "" : marked.getContext().trim() + ": ";
            return new Problem(file, line, "YAML error: " + context + oneLine(problem));
        }
        Throwable root = rootCause(e);
        String message = oneLine(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
        Matcher template = NO_TEMPLATE.matcher(message);
        if (template.find()) {
            int line = sources.find(resource.getLocation(),
                    Pattern.compile("routeTemplateRef:\\s*[\"']?" + Pattern.quote(template.group(1)) + "[\"']?\\s*$"), 1);
            return new Problem(file, line, "routeTemplateRef '" + template.group(1) + "' names no routeTemplate");
        }
        return new Problem(file, 0, root.getClass().getSimpleName() + ": " + message);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
