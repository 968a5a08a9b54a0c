package dev.talkreel.check;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Resolves {@code {{placeholders}}} as Camel does when it builds a route: template parameters first (as local
 * properties), then config/ with its -D and environment overrides. Defaults, optional keys and functions
 * ({@code {{env:X}}}) behave exactly as at run time.
 */
final class Resolver {
    private final CamelContext camel;

    Resolver(CamelContext camel) {
        this.camel = camel;
    }

    /** The text with every placeholder resolved, or empty when one has no value. */
    Optional<String> resolve(String text, Map<String, Object> templateParameters) {
        PropertiesComponent pc = camel.getPropertiesComponent();
        Properties local = new Properties();
        templateParameters.forEach((k, v) -> local.put(k, String.valueOf(v)));
        pc.setLocalProperties(local);
        try {
            return Optional.of(camel.resolvePropertyPlaceholders(text));
        } catch (RuntimeException missing) {
            return Optional.empty();
        } finally {
            pc.setLocalProperties(null);
        }
    }
}
