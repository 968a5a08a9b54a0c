package dev.talkreel.check;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.impl.DefaultCamelContext;
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
            RouteFiles files = RouteFiles.of(camel);
            List<Resource> resources;
            try {
                resources = files.list();
            } catch (RuntimeException e) {
                // camel-main fails the same way at start (a folder of the pattern is missing)
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                return List.of(new Problem(Sources.display(configLocation), 0, "cannot list the route files of "
                        + files.include() + ": " + cause.getClass().getSimpleName() + " " + cause.getMessage()));
            }
            if (resources.isEmpty()) {
                problems.add(new Problem(Sources.display(configLocation), 0, "no route files match " + files.include()));
            }
            List<Problem> loading = RouteLoading.load(camel, resources, sources);
            problems.addAll(loading);
            Set<String> failed = loading.stream().map(Problem::file).collect(Collectors.toSet());
            List<String> loaded = resources.stream().map(Resource::getLocation)
                    .filter(location -> !failed.contains(Sources.display(location))).toList();
            List<EndpointUse> uses = Endpoints.of(camel, loaded, sources);
            problems.addAll(MissingProperties.inRoutes(loaded, camel, sources, resolver));
            problems.addAll(MissingProperties.inConfig(configLocation, sources, resolver));
            problems.addAll(new EndpointOptions(sources).check(uses, resolver));
            // with a file missing, its routes are missing too: every call to them would be reported as well
            if (loading.isEmpty()) {
                problems.addAll(DirectReferences.check(uses, resolver));
            }
            problems.addAll(ComfyBindings.check(camel, configLocation, sources));
            if (!loaded.isEmpty()) {
                problems.addAll(StepDeclarations.check(camel, loaded, sources));
            }
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
}
