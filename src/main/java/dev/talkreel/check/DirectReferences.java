package dev.talkreel.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every {@code direct:} endpoint a route sends to has a route consuming it: {@code to: direct:video-cal} is caught
 * here, not after a job's GPU work. Template parameters are substituted first; a {@code toD} is checked when its
 * endpoint name is static (only its options use {@code ${...}}) and skipped otherwise; a call that says
 * {@code failIfNoConsumers=false} is allowed to find nobody.
 */
final class DirectReferences {
    private static final String DIRECT = "direct:";

    private DirectReferences() {
    }

    static List<Problem> check(List<EndpointUse> uses, Resolver resolver) {
        Set<String> consumed = new HashSet<>();
        for (EndpointUse use : uses) {
            if (use.consumer()) {
                resolver.resolve(use.uri(), use.templateParameters()).flatMap(DirectReferences::name).ifPresent(consumed::add);
            }
        }
        List<Problem> problems = new ArrayList<>();
        for (EndpointUse use : uses) {
            if (use.consumer() || use.uri().contains("failIfNoConsumers=false")) {
                continue;
            }
            Optional<String> resolved = resolver.resolve(use.uri(), use.templateParameters());
            if (resolved.isEmpty() || !resolved.get().startsWith(DIRECT)) {
                continue;
            }
            String uri = resolved.get();
            if (use.dynamic()) {
                int expression = uri.indexOf("${");
                int query = uri.indexOf('?');
                if (query < 0 || expression < query) {
                    continue;
                }
            }
            String name = name(uri).orElse("");
            if (!consumed.contains(name)) {
                problems.add(new Problem(use.file(), use.line(), "no route consumes direct:" + name + use.where()));
            }
        }
        return problems;
    }

    /** The endpoint name of a direct URI ({@code direct:video-call?timeout=5} is {@code video-call}). */
    private static Optional<String> name(String uri) {
        if (!uri.startsWith(DIRECT)) {
            return Optional.empty();
        }
        String rest = uri.substring(DIRECT.length());
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        int query = rest.indexOf('?');
        return Optional.of(query < 0 ? rest : rest.substring(0, query));
    }
}
