package dev.talkreel;

import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Emulators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One talkreel (emulators + the real orchestrator) for a whole test class, on a fresh shared volume:
 * {@code @RegisterExtension static final RunningStack talkreel = new RunningStack(Map.of(...))}. The emulators'
 * latencies, faults and call counts are reset before each test.
 */
public final class RunningStack implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final Map<String, String> settings;
    private Path root;
    private LocalStack stack;
    private JobClient client;

    public RunningStack(Map<String, String> settings) {
        // jobs are finished at InfiniteTalk's own size unless a test says otherwise: a 1080x1920 encode per job costs
        // CPU seconds the other tests do not measure (FinishIT names each job's profile and measures them all)
        Map<String, String> all = new LinkedHashMap<>(Map.of("talkreel.output.profile", "landscape"));
        all.putAll(settings);
        this.settings = all;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        root = Files.createTempDirectory("talkreel-test");
        stack = LocalStack.start(root, settings);
        client = new JobClient(stack.api(), stack.shared());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        stack.emulators().reset();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (stack == null) {
            // never started: the class was skipped before (DashboardIT without a browser)
            return;
        }
        stack.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    public LocalStack stack() {
        return stack;
    }

    public JobClient client() {
        return client;
    }

    public Emulators emulators() {
        return stack.emulators();
    }

    public Path shared() {
        return stack.shared();
    }
}
