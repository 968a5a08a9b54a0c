package dev.talkreel.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code talkreel check} on a copy of the real routes/ and config/: the clean tree passes, and each typo of issue 8,
 * injected alone, is reported with its file and line. The typos are placed by pattern (the first line of the route
 * files that fits), not by today's line numbers, so the test follows the routes as they change. ServeRefusesIT starts
 * {@code serve} on each of them.
 */
class CheckCommandTest {
    @TempDir
    Path root;

    /** Where a typo went: the file and its 1-based line. */
    record Injected(Path file, int line) {
        String where() {
            return file.getFileName() + ":" + line + ": ";
        }
    }

    @Test
    void theCleanTreePasses() throws IOException {
        copyTree();
        assertEquals(List.of(), check());
    }

    /** The typos of issue 8, each placed on the first route line that fits it, and what the check must say. */
    enum Typo {
        YAML_INDENT("^( +) (steps:\\s*)$", "$1$2", "YAML error"),
        UNKNOWN_DSL_KEY("^(\\s+)steps:(\\s*)$", "$1stepz:$2", "unknown YAML DSL key 'stepz'"),
        // direct:video-call -> direct:video-cal
        DIRECT_NOBODY_CONSUMES("^(\\s*- to: \"?direct:[\\w-]+)\\w(\"?\\s*)$", "$1$2", "no route consumes direct:"),
        // http is lenient: without the check the option goes to the service as a query parameter
        MISSPELT_HTTP_OPTION("^(\\s+)responseTimeout:(.*)$", "$1responseTimout:$2",
                "unknown option 'responseTimout' on http endpoint (did you mean responseTimeout?)"),
        PLACEHOLDER_WITHOUT_VALUE("^(.*)\\{\\{talkreel\\.[\\w.-]+}}(.*)$", "$1{{talkreel.nope}}$2",
                "property 'talkreel.nope' has no value"),
        // submit-then-poll -> submit-then-pol
        TEMPLATE_ID("^(\\s*routeTemplateRef: \"?[\\w-]+)\\w(\"?\\s*)$", "$1$2", "names no routeTemplate");

        final Pattern line;
        final String replacement;
        final String message;

        Typo(String line, String replacement, String message) {
            this.line = Pattern.compile(line);
            this.replacement = replacement;
            this.message = message;
        }
    }

    @ParameterizedTest
    @EnumSource(Typo.class)
    void eachTypoIsReportedWithItsFileAndLine(Typo typo) throws IOException {
        copyTree();
        assertReported(inject(typo), typo.message);
    }

    @Test
    void aRouteIdUsedTwiceIsReportedAtItsSecondFile() throws IOException {
        copyTree();
        String route = "- route:\n    id: twice\n    from:\n      uri: direct:twice-%s\n      steps:\n        - log: \"%s\"\n";
        Files.writeString(root.resolve("routes/zz-a-twice.camel.yaml"), route.formatted("a", "a"));
        Path second = root.resolve("routes/zz-b-twice.camel.yaml");
        Files.writeString(second, route.formatted("b", "b"));
        assertReported(new Injected(second, 2), "route id 'twice' is already used at");
    }

    @Test
    void aComfyUiNodeWithoutTheBoundInputIsReported() throws IOException {
        copyTree();
        Path config = root.resolve("config/application.properties");
        List<String> lines = new ArrayList<>(Files.readAllLines(config));
        int line = 0;
        for (int i = 0; i < lines.size() && line == 0; i++) {
            if (lines.get(i).startsWith("talkreel.comfyui.bind.seed")) {
                lines.set(i, "talkreel.comfyui.bind.seed = 49.seed");
                line = i + 1;
            }
        }
        Files.write(config, lines);
        assertReported(new Injected(config, line), "talkreel.comfyui.bind.seed: node 49 (SaveImage) of "
                + root.resolve("config/comfyui/wan-portrait-api.json") + " has no input 'seed'; its inputs are "
                + "filename_prefix, images");
    }

    @Test
    void aStepAfterAnUndeclaredStepIsReportedAtItsDeclaration() throws IOException {
        copyTree();
        Path video = root.resolve("routes/step-video.camel.yaml");
        List<String> lines = Files.readAllLines(video);
        Files.writeString(video, Files.readString(video).replace("value: \"voice,portrait\"", "value: \"voice,portrat\""));
        assertReported(new Injected(video, lines.indexOf("    routeId: watch-video") + 1),
                "step video comes after step portrat, which no file in routes/ declares");
    }

    private void assertReported(Injected typo, String message) {
        List<Problem> problems = check();
        String text = problems.stream().map(Problem::toString).reduce("", (a, b) -> a + b + "\n");
        assertTrue(problems.stream().anyMatch(p -> p.file().endsWith(typo.file().getFileName().toString())
                && p.line() == typo.line() && p.message().contains(message)),
                "expected " + typo.where() + message + "\n" + "got:\n" + text);
    }

    private List<Problem> check() {
        Properties overrides = new Properties();
        overrides.setProperty("camel.main.routes-include-pattern", "file:" + root.resolve("routes") + "/*.camel.yaml");
        overrides.setProperty("talkreel.comfyui.workflow", root.resolve("config/comfyui/wan-portrait-api.json").toString());
        return new Check(root.resolve("config/application.properties"), overrides).run();
    }

    /** Rewrites the first line of the route files (in name order) that fits the typo, and says where it was. */
    Injected inject(Typo typo) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(root.resolve("routes"))) {
            files = s.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        for (Path file : files) {
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = typo.line.matcher(lines.get(i));
                if (m.matches()) {
                    lines.set(i, m.replaceFirst(typo.replacement));
                    Files.write(file, lines);
                    return new Injected(file, i + 1);
                }
            }
        }
        throw new AssertionError("no route line fits " + typo + ": " + typo.line);
    }

    void copyTree() throws IOException {
        for (String dir : new String[] {"routes", "config"}) {
            Path from = Path.of(dir);
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : s.toList()) {
                    Path to = root.resolve(from.relativize(p).toString().isEmpty() ? dir : dir + "/" + from.relativize(p));
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
        }
    }
}
