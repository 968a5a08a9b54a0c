package dev.talkreel.observe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: the shared volume takes a write. Every hand-off between steps is a file written there, so a volume that
 * refuses writes (read-only, full) makes talkreel unready: DOWN, with the folder and the error.
 */
public final class VolumeHealthCheck extends AbstractHealthCheck {
    private final Path shared;

    public VolumeHealthCheck(Path shared) {
        super("talkreel", "shared-volume");
        this.shared = shared;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("path", shared.toAbsolutePath().toString());
        try {
            // a file of its own for each check: two checks at once (a probe and a scrape) never meet
            Path probe = Files.createTempFile(shared, ".health-probe", null);
            Files.writeString(probe, "talkreel readiness probe\n");
            Files.delete(probe);
            builder.up().message("the shared volume takes writes: " + shared.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            builder.down().error(e).message("the shared volume refuses writes (" + shared.toAbsolutePath() + "): "
                    + e.getClass().getSimpleName());
        }
    }
}
