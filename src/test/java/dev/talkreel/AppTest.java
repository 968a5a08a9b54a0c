package dev.talkreel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.component.direct.DirectEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the real camel-main app (every YAML route of routes/, the settings of config/, the HTTP API) against the
 * emulators, and checks what it does rather than how it is cut into routes: every route starts, no direct: call
 * dangles, the API answers, and a job goes all the way to done.
 */
class AppTest {
    @TempDir
    Path root;

    @Test
    void theAppStartsEveryYamlRouteServesTheApiAndTakesAJobToDone() throws Exception {
        try (LocalStack stack = LocalStack.start(root, Map.of())) {
            CamelContext camel = stack.camel();
            assertFalse(camel.getRoutes().isEmpty(), "the routes of routes/ are loaded");
            // the steps declared in routes/, in an order where each comes after the steps it needs
            assertEquals(List.of("audio", "voice", "portrait", "video", "captions", "finish", "poster"),
                    camel.getRegistry().lookupByNameAndType("pipeline", Pipeline.class).ids());
            for (Route route : camel.getRoutes()) {
                String id = route.getRouteId();
                assertTrue(camel.getRouteController().getRouteStatus(id).isStarted(), id);
            }
            assertEquals(Set.of(), danglingDirectEndpoints(camel), "direct: endpoints that no route consumes");
            for (String folder : new String[] {"inbox/.done", "inbox/.failed", "jobs", "outbox"}) {
                assertTrue(stack.shared().resolve(folder).toFile().isDirectory(), folder);
            }

            JobClient client = new JobClient(stack.api(), stack.shared());
            assertEquals(200, client.get("/api/jobs").statusCode());
            String id = client.submit(JobClient.job("https://youtu.be/ao8f3qyMoLM", "Hello from AppTest."));
            JsonNode job = client.waitForEnd(id, Duration.ofMinutes(2));
            assertEquals("done", job.path("status").asText(), job.toString());
            assertTrue(Files.isRegularFile(stack.shared().resolve("outbox/" + id + ".json")), "the result message");
        }
    }

    /** The direct: endpoints the routes send to (to, enrich, wireTap...) that no route reads from. */
    private static Set<String> danglingDirectEndpoints(CamelContext camel) {
        Set<String> consumed = camel.getRoutes().stream().map(r -> r.getEndpoint().getEndpointBaseUri())
                .collect(Collectors.toSet());
        return camel.getEndpoints().stream().filter(e -> e instanceof DirectEndpoint)
                .map(Endpoint::getEndpointBaseUri).filter(uri -> !consumed.contains(uri))
                .collect(Collectors.toCollection(TreeSet::new));
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
