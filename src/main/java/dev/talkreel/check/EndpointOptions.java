package dev.talkreel.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.catalog.CamelCatalog;
import org.apache.camel.catalog.DefaultCamelCatalog;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.tooling.model.ComponentModel;

/**
 * Every endpoint URI is checked against its component's options in the Camel catalog, placeholders resolved first.
 * Lenient components (http) accept any option at run time and send the unknown ones on as query parameters: here
 * they are errors too, so {@code responseTimout} is caught instead of the two-hour timeout being silently lost.
 * A {@code toD} whose URI holds {@code ${...}} is only known per message, and is skipped.
 */
final class EndpointOptions {
    /** How far below an endpoint's line its parameters may be written ({@code parameters:} under {@code to:}). */
    private static final int PARAMETER_LINES = 40;

    private final CamelCatalog catalog = new DefaultCamelCatalog(true);
    private final Sources sources;

    EndpointOptions(Sources sources) {
        this.sources = sources;
    }

    List<Problem> check(List<EndpointUse> uses, Resolver resolver) {
        List<Problem> problems = new ArrayList<>();
        for (EndpointUse use : uses) {
            if (use.dynamic()) {
                continue;
            }
            Optional<String> uri = resolver.resolve(use.uri(), use.templateParameters());
            if (uri.isEmpty()) {
                continue;
            }
            EndpointValidationResult result = catalog.validateEndpointProperties(uri.get(), false, use.consumer(),
                    !use.consumer());
            // options a lenient component accepts at run time leave the result a success: they count here too
            if (!result.isSuccess() || (result.getLenient() != null && !result.getLenient().isEmpty())) {
                for (Map.Entry<String, String> wrong : messages(result).entrySet()) {
                    problems.add(new Problem(use.file(), optionLine(use, wrong.getKey()), wrong.getValue() + use.where()));
                }
            }
        }
        return problems;
    }

    /** The line of the option itself when it is written under the endpoint (as a parameter), else the endpoint's. */
    private int optionLine(EndpointUse use, String option) {
        if (option.isEmpty() || use.line() <= 0) {
            return use.line();
        }
        int line = sources.find(use.file(), Pattern.compile("(^|[\\s?&{,])" + Pattern.quote(option) + "\\s*[:=]"),
                use.line(), PARAMETER_LINES);
        return line > 0 ? line : use.line();
    }

    /** One message per wrong option (keyed by the option, "" for the URI as a whole), with the catalog's suggestions. */
    private Map<String, String> messages(EndpointValidationResult r) {
        String scheme = schemeOf(r.getUri());
        Map<String, String> out = new LinkedHashMap<>();
        if (r.getUnknownComponent() != null) {
            out.put("", "unknown component '" + r.getUnknownComponent() + "'");
        }
        if (r.getSyntaxError() != null) {
            out.put("", "bad endpoint URI: " + r.getSyntaxError());
        }
        if (r.getUnknown() != null) {
            for (Object option : r.getUnknown()) {
                String[] suggestions = r.getUnknownSuggestions() == null ? null
                        : (String[]) r.getUnknownSuggestions().get(option);
                out.put(String.valueOf(option), "unknown option '" + option + "' on " + scheme + " endpoint"
                        + (suggestions != null && suggestions.length > 0 ? " (did you mean " + String.join(" or ",
                                suggestions) + "?)" : ""));
            }
        }
        if (r.getLenient() != null) {
            // a lenient component (http) would send these to the service as query parameters: almost always a typo
            for (String option : r.getLenient()) {
                List<String> near = Suggestions.near(option, optionNames(scheme));
                out.put(option, "unknown option '" + option + "' on " + scheme + " endpoint" + (near.isEmpty() ? ""
                        : " (did you mean " + String.join(" or ", near) + "?)") + "; " + scheme
                        + " would send it to the service as a query parameter (set CamelHttpQuery for a real one)");
            }
        }
        if (r.getNotConsumerOnly() != null) {
            r.getNotConsumerOnly().forEach(o -> out.put(o, "option '" + o + "' of " + scheme + " is for producers (to:), not from:"));
        }
        if (r.getNotProducerOnly() != null) {
            r.getNotProducerOnly().forEach(o -> out.put(o, "option '" + o + "' of " + scheme + " is for consumers (from:), not to:"));
        }
        if (r.getRequired() != null) {
            r.getRequired().forEach(o -> out.put("", "missing required option '" + o + "' on " + scheme + " endpoint"));
        }
        for (Map<?, ?> invalid : List.of(nonNull(r.getInvalidEnum()), nonNull(r.getInvalidBoolean()),
                nonNull(r.getInvalidInteger()), nonNull(r.getInvalidNumber()), nonNull(r.getInvalidDuration()),
                nonNull(r.getInvalidReference()), nonNull(r.getInvalidArray()), nonNull(r.getInvalidMap()))) {
            invalid.forEach((o, v) -> out.put(String.valueOf(o), "invalid value '" + v + "' for option '" + o + "' on " + scheme + " endpoint"));
        }
        if (out.isEmpty()) {
            out.put("", LoadErrors.oneLine(r.summaryErrorMessage(false)));
        }
        return out;
    }

    private List<String> optionNames(String scheme) {
        ComponentModel model = catalog.componentModel(scheme);
        if (model == null) {
            return List.of();
        }
        // the catalog accepts some component options on the URI too (http's timeouts)
        List<String> names = new ArrayList<>();
        model.getEndpointOptions().forEach(o -> names.add(o.getName()));
        model.getComponentOptions().forEach(o -> names.add(o.getName()));
        return names;
    }

    private static Map<?, ?> nonNull(Map<?, ?> m) {
        return m == null ? Map.of() : m;
    }

    private static String schemeOf(String uri) {
        int colon = uri == null ? -1 : uri.indexOf(':');
        return colon > 0 ? uri.substring(0, colon) : String.valueOf(uri);
    }
}
