package dev.talkreel.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.main.DefaultRoutesCollector;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;

/**
 * The route files {@code serve} would load: camel-main's include and exclude patterns, read as camel-main reads them
 * (camelCase or kebab-case, from the config file, -D or the environment), listed by camel-main's own collector.
 */
record RouteFiles(CamelContext camel, String include, String exclude) {
    /** camel-main's own default when no pattern is set. */
    private static final String MAIN_DEFAULT_INCLUDE = "classpath:camel/*;classpath:camel-template/*;classpath:camel-rest/*";

    static RouteFiles of(CamelContext camel) {
        PropertiesComponent pc = camel.getPropertiesComponent();
        return new RouteFiles(camel, setting(pc, "routesIncludePattern", "routes-include-pattern").orElse(MAIN_DEFAULT_INCLUDE),
                setting(pc, "routesExcludePattern", "routes-exclude-pattern").orElse(null));
    }

    /** The files, in name order (as problems are listed: a duplicate route id is reported at its later file). */
    List<Resource> list() {
        List<Resource> resources = new ArrayList<>(new DefaultRoutesCollector().findRouteResourcesFromDirectory(camel,
                exclude, include));
        resources.sort(Comparator.comparing(Resource::getLocation));
        return resources;
    }

    private static Optional<String> setting(PropertiesComponent pc, String camelCase, String kebabCase) {
        Optional<String> v = pc.resolveProperty("camel.main." + camelCase).filter(s -> !s.isBlank());
        return (v.isPresent() ? v : pc.resolveProperty("camel.main." + kebabCase).filter(s -> !s.isBlank())).map(String::trim);
    }
}
