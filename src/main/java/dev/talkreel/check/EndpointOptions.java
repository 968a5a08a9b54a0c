package dev.talkreel.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private final CamelCatalog catalog = new DefaultCamelCatalog(true);

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
                for (String message : messages(result)) {
                    problems.add(new Problem(use.file(), use.line(), message + use.where()));
                }
            }
        }
        return problems;
    }

    /** One message per wrong option, with the catalog's suggestions ("did you mean responseTimeout?"). */
    private List<String> messages(EndpointValidationResult r) {
        String scheme = schemeOf(r.getUri());
        List<String> out = new ArrayList<>();
        if (r.getUnknownComponent() != null) {
            out.add("unknown component '" + r.getUnknownComponent() + "'");
        }
        if (r.getSyntaxError() != null) {
            out.add("bad endpoint URI: " + r.getSyntaxError());
        }
        if (r.getUnknown() != null) {
            for (Object option : r.getUnknown()) {
                String[] suggestions = r.getUnknownSuggestions() == null ? null
                        : (String[]) r.getUnknownSuggestions().get(option);
                out.add("unknown option '" + option + "' on " + scheme + " endpoint"
                        + (suggestions != null && suggestions.length > 0 ? " (did you mean " + String.join(" or ",
                                suggestions) + "?)" : ""));
            }
        }
        if (r.getLenient() != null) {
            // a lenient component (http) would send these to the service as query parameters: almost always a typo
            for (String option : r.getLenient()) {
                List<String> near = Suggestions.near(option, optionNames(scheme));
                out.add("unknown option '" + option + "' on " + scheme + " endpoint" + (near.isEmpty() ? ""
                        : " (did you mean " + String.join(" or ", near) + "?)") + "; " + scheme
                        + " would send it to the service as a query parameter (set CamelHttpQuery for a real one)");
            }
        }
        if (r.getNotConsumerOnly() != null) {
            r.getNotConsumerOnly().forEach(o -> out.add("option '" + o + "' of " + scheme + " is for producers (to:), not from:"));
        }
        if (r.getNotProducerOnly() != null) {
            r.getNotProducerOnly().forEach(o -> out.add("option '" + o + "' of " + scheme + " is for consumers (from:), not to:"));
        }
        if (r.getRequired() != null) {
            r.getRequired().forEach(o -> out.add("missing required option '" + o + "' on " + scheme + " endpoint"));
        }
        for (Map<?, ?> invalid : List.of(nonNull(r.getInvalidEnum()), nonNull(r.getInvalidBoolean()),
                nonNull(r.getInvalidInteger()), nonNull(r.getInvalidNumber()), nonNull(r.getInvalidDuration()),
                nonNull(r.getInvalidReference()), nonNull(r.getInvalidArray()), nonNull(r.getInvalidMap()))) {
            invalid.forEach((o, v) -> out.add("invalid value '" + v + "' for option '" + o + "' on " + scheme + " endpoint"));
        }
        if (out.isEmpty()) {
            out.add(LoadErrors.oneLine(r.summaryErrorMessage(false)));
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
