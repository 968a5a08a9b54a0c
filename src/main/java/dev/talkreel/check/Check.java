package dev.talkreel.check;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.DefaultRoutesCollector;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;

/**
 * {@code talkreel check}: loads routes/ and config/ as {@code serve} does (the same config file, -D and environment
 * overrides, the same camel.main route include/exclude patterns) into a Camel context that is never started, so no
 * consumer, server or bean runs, and lists what would break at run time, each with its file and line: YAML and DSL
 * errors, template ids with no template, {@code direct:} calls nobody consumes, unknown endpoint options, placeholders
 * with no value, and ComfyUI workflow bindings. {@code serve} runs it first and refuses to start on any problem.
 */
public final class Check {
    /** camel-main's own default when no pattern is set. */
    private static final String MAIN_DEFAULT_INCLUDE = "classpath:camel/*;classpath:camel-template/*;classpath:camel-rest/*";

    private final Path configFile;
    private final Properties overrides;

    /**
     * @param configFile the settings, as {@code serve} reads them ({@code App.configFile()})
     * @param overrides  values that win over the file and the environment (as camel-main's override properties)
     */
    public Check(Path configFile, Properties overrides) {
        this.configFile = configFile;
        this.overrides = overrides;
    }

    /** Every problem found, in file and line order; empty when the tree is fit to serve. */
    public List<Problem> run() {
        String configLocation = "file:" + configFile;
        if (!Files.isRegularFile(configFile)) {
            return List.of(new Problem(Sources.display(configLocation), 0, "no such config file"));
        }
        DefaultCamelContext camel = new DefaultCamelContext();
        try {
            camel.getCamelContextExtension().setName("talkreel-check");
            // definitions then know their file and line
            camel.setSourceLocationEnabled(true);
            PropertiesComponent pc = camel.getPropertiesComponent();
            pc.setLocation(configLocation);
            if (!overrides.isEmpty()) {
                pc.setOverrideProperties(overrides);
            }
            Sources sources = new Sources();
            Resolver resolver = new Resolver(camel);
            List<Problem> problems = new ArrayList<>();
            String include = setting(pc, "routesIncludePattern", "routes-include-pattern").orElse(MAIN_DEFAULT_INCLUDE);
            String exclude = setting(pc, "routesExcludePattern", "routes-exclude-pattern").orElse(null);
            List<Resource> resources;
            try {
                resources = new ArrayList<>(new DefaultRoutesCollector().findRouteResourcesFromDirectory(camel, exclude,
                        include));
                // in name order, as the problems are listed (a duplicate id is reported at its later file)
                resources.sort(Comparator.comparing(Resource::getLocation));
            } catch (RuntimeException e) {
                // camel-main fails the same way at start (a folder of the pattern is missing)
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                return List.of(new Problem(Sources.display(configLocation), 0, "cannot list the route files of "
                        + include + ": " + cause.getClass().getSimpleName() + " " + cause.getMessage()));
            }
            if (resources.isEmpty()) {
                problems.add(new Problem(Sources.display(configLocation), 0, "no route files match " + include));
            }
            RouteLoading.Result loading = RouteLoading.load(camel, resources, sources);
            problems.addAll(loading.problems());
            List<String> loaded = new ArrayList<>();
            for (Resource r : resources) {
                if (loading.problems().stream().noneMatch(p -> p.file().equals(Sources.display(r.getLocation())))) {
                    loaded.add(r.getLocation());
                }
            }
            List<EndpointUse> uses = Endpoints.of(camel, loaded, sources);
            problems.addAll(MissingProperties.inRoutes(loaded, camel, sources, resolver));
            problems.addAll(MissingProperties.inConfig(configLocation, sources, resolver));
            problems.addAll(new EndpointOptions(sources).check(uses, resolver));
            // with a file missing, its routes are missing too: every call to them would be reported as well
            if (loading.complete()) {
                problems.addAll(DirectReferences.check(uses, resolver));
            }
            problems.addAll(ComfyBindings.check(camel, configLocation, sources));
            List<Problem> sorted = new ArrayList<>(new LinkedHashSet<>(problems));
            sorted.sort(null);
            return sorted;
        } finally {
            camel.stop();
        }
    }

    /** Prints the problems one a line on {@code err}, or a short OK on {@code out}; the exit code (0 when clean). */
    public static int report(List<Problem> problems, long tookMs, PrintStream out, PrintStream err) {
        if (problems.isEmpty()) {
            out.println("talkreel check: OK (routes and config, " + tookMs + " ms)");
            return 0;
        }
        problems.forEach(err::println);
        err.println("talkreel check: " + problems.size() + " problem(s); fix them and run "
                + "`java -jar target/talkreel.jar check` again");
        return 1;
    }

    /** A camel.main option as camel-main reads it: camelCase or kebab-case, from the file, -D or the environment. */
    private static Optional<String> setting(PropertiesComponent pc, String camelCase, String kebabCase) {
        Optional<String> v = pc.resolveProperty("camel.main." + camelCase);
        return v.isPresent() && !v.get().isBlank() ? v.map(String::trim)
                : pc.resolveProperty("camel.main." + kebabCase).filter(s -> !s.isBlank()).map(String::trim);
    }
}
