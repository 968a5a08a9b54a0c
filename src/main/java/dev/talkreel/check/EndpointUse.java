package dev.talkreel.check;

import java.util.Map;

/**
 * One endpoint URI written in the routes: where ({@code file}, {@code line}), in which route, whether it consumes
 * ({@code from}) or produces ({@code to}, {@code toD}, {@code wireTap}), and the template parameters of its route
 * (empty for a plain route), which resolve before the properties do.
 */
record EndpointUse(String uri, boolean consumer, boolean dynamic, String file, int line, String routeId,
        Map<String, Object> templateParameters, String templatedAt) {

    /**
     * For a templated route, which one (the line is in the template, the parameters are where the templatedRoute
     * is declared: {@code templatedAt}, file:line); empty for a plain route.
     */
    String where() {
        return templateParameters.isEmpty() ? ""
                : " (in templated route " + routeId + (templatedAt.isEmpty() ? "" : ", " + templatedAt) + ")";
    }
}
