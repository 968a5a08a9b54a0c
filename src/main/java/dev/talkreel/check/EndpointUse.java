package dev.talkreel.check;

import java.util.Map;

/**
 * One endpoint URI written in the routes: where ({@code file}, {@code line}), in which route, whether it consumes
 * ({@code from}) or produces ({@code to}, {@code toD}, {@code wireTap}), and the template parameters of its route
 * (empty for a plain route), which resolve before the properties do.
 */
record EndpointUse(String uri, boolean consumer, boolean dynamic, String file, int line, String routeId,
        Map<String, Object> templateParameters) {

    /** Where to point a reader: the line, and for a templated route which route it is (the line is in the template). */
    String where() {
        return templateParameters.isEmpty() ? "" : " (in templated route " + routeId + ")";
    }

    /** The scheme, as written (before placeholders are resolved): {@code direct}, {@code file}, ... */
    String writtenScheme() {
        int colon = uri.indexOf(':');
        return colon > 0 ? uri.substring(0, colon) : "";
    }
}
