package dev.talkreel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.demo.LocalStack;
import dev.talkreel.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boots the real camel-main app: every YAML route of routes/, the settings of config/, the HTTP API. */
class AppTest {
    @TempDir
    Path root;

    @Test
    void theAppStartsWithEveryYamlRouteAndServesTheApi() throws Exception {
        try (LocalStack stack = LocalStack.start(root, Map.of())) {
            Set<String> routes = stack.camel().getRoutes().stream().map(Route::getRouteId)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(Set.of(
                    "intake-inbox", "api-submit", "api-list", "api-status",
                    "watch-audio", "step-audio", "audio-submit", "audio-poll", "audio-fetch",
                    "watch-voice", "step-voice", "voice-call",
                    "watch-portrait", "step-portrait", "portrait-submit",
                    "portrait-poll", "portrait-fetch", "portrait-abandon",
                    "watch-video", "step-video", "video-call", "assemble-result",
                    "api-retry", "api-cancel", "supervise-jobs", "step-failed",
                    // each service's calls (template-service-call.camel.yaml)
                    "yttools-download", "yttools-status", "yttools-audio", "vibevoice-tts", "comfyui-prompt",
                    "comfyui-history", "comfyui-queue", "comfyui-view", "comfyui-delete", "comfyui-interrupt",
                    "infinitetalk-generate")), routes);
            // the steps declared in routes/, each after the steps it needs
            assertEquals(List.of("audio", "voice", "portrait", "video"),
                    stack.camel().getRegistry().lookupByNameAndType("pipeline", Pipeline.class).ids());
            for (String id : routes) {
                assertTrue(stack.camel().getRouteController().getRouteStatus(id).isStarted(), id);
            }
            JobClient client = new JobClient(stack.api(), stack.shared());
            assertEquals(200, client.get("/api/jobs").statusCode());
            for (String folder : new String[] {"inbox/.done", "inbox/.failed", "jobs", "outbox"}) {
                assertTrue(stack.shared().resolve(folder).toFile().isDirectory(), folder);
            }
        }
    }

    @Test
    void routeReloadIsRefusedAtStartRatherThanHalfWorking() {
        Exception refused = assertThrows(Exception.class,
                () -> LocalStack.start(root, Map.of("camel.main.routes-reload-enabled", "true")).close());
        Throwable cause = refused;
        while (cause.getCause() != null && !cause.getMessage().contains("routes-reload")) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("does not support reloading routes"), refused.toString());
    }
}
