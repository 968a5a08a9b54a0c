package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.emulator.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fault mode of every emulator ends in a retry that succeeds or in a failed job with a clear record, and the
 * orchestrator stays up. Timeouts are short here so that a hanging service costs seconds, not minutes.
 */
class FaultModesIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final List<String> SUMMARY = new ArrayList<>();

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of(
            "talkreel.yttools.response-timeout-ms", "1500",
            "talkreel.vibevoice.response-timeout-ms", "3000",
            "talkreel.comfyui.response-timeout-ms", "1500",
            "talkreel.infinitetalk.response-timeout-ms", "5000"));

    @AfterAll
    static void summary() {
        System.out.println("fault modes: " + SUMMARY.size() + " cases: " + String.join("; ", SUMMARY));
    }

    static Stream<Arguments> faults() {
        Function<Emulators, EmulatorServer> yt = e -> e.yttools;
        Function<Emulators, EmulatorServer> vv = e -> e.vibevoice;
        Function<Emulators, EmulatorServer> cu = e -> e.comfyui;
        Function<Emulators, EmulatorServer> it = e -> e.infinitetalk;
        return Stream.of(
                Arguments.of("yttools", yt, "download", Fault.ERROR_500, 1, "done", null),
                Arguments.of("yttools", yt, "download", Fault.MALFORMED, 1, "done", null),
                Arguments.of("yttools", yt, "download", Fault.DROP, 1, "done", null),
                Arguments.of("yttools", yt, "status", Fault.HANG, 1, "done", null),
                Arguments.of("yttools", yt, "status", Fault.ERROR_500, 2, "done", null),
                Arguments.of("yttools", yt, "audio", Fault.DROP, 1, "done", null),
                Arguments.of("yttools", yt, "task", Fault.TASK_FAILED, 1, "failed", "Video unavailable"),
                Arguments.of("yttools", yt, "download", Fault.ERROR_500, 4, "failed", "yttools answered HTTP 500"),
                Arguments.of("vibevoice", vv, "tts", Fault.ERROR_500, 1, "done", null),
                Arguments.of("vibevoice", vv, "tts", Fault.HANG, 1, "done", null),
                Arguments.of("vibevoice", vv, "tts", Fault.DROP, 1, "done", null),
                Arguments.of("vibevoice", vv, "tts", Fault.MALFORMED, 1, "done", null),
                Arguments.of("vibevoice", vv, "tts", Fault.OOM, 1, "done", null),
                Arguments.of("vibevoice", vv, "tts", Fault.OOM, 2, "failed", "CUDA out of memory"),
                Arguments.of("comfyui", cu, "prompt", Fault.ERROR_500, 1, "done", null),
                Arguments.of("comfyui", cu, "prompt", Fault.DROP, 1, "done", null),
                Arguments.of("comfyui", cu, "history", Fault.MALFORMED, 1, "done", null),
                Arguments.of("comfyui", cu, "history", Fault.HANG, 1, "done", null),
                Arguments.of("comfyui", cu, "view", Fault.ERROR_500, 1, "done", null),
                Arguments.of("comfyui", cu, "prompt", Fault.MISSING_MODEL, 1, "failed", "input unet_name said"),
                Arguments.of("comfyui", cu, "prompt", Fault.OUTPUT_NODE_ERRORS, 1, "failed", "output node 49"),
                Arguments.of("comfyui", cu, "prompt", Fault.NODE_ERRORS, 1, "done", null),
                Arguments.of("comfyui", cu, "execute", Fault.EXECUTION_ERROR, 1, "failed", "ComfyUI could not render"),
                Arguments.of("comfyui", cu, "execute", Fault.OOM, 1, "done", null),
                Arguments.of("comfyui", cu, "execute", Fault.OOM, 2, "failed", "OutOfMemoryError"),
                Arguments.of("infinitetalk", it, "generate", Fault.ERROR_500, 1, "done", null),
                Arguments.of("infinitetalk", it, "generate", Fault.HANG, 1, "done", null),
                Arguments.of("infinitetalk", it, "generate", Fault.DROP, 1, "done", null),
                Arguments.of("infinitetalk", it, "generate", Fault.MALFORMED, 1, "done", null),
                Arguments.of("infinitetalk", it, "generate", Fault.OOM, 1, "done", null),
                Arguments.of("infinitetalk", it, "generate", Fault.OOM, 2, "failed", "CUDA out of memory"));
    }

    @ParameterizedTest(name = "{0} {2} {3} x{4} -> {5}")
    @MethodSource("faults")
    void aFaultEndsInASuccessfulRetryOrAClearFailure(String service, Function<Emulators, EmulatorServer> which,
                                                    String operation, Fault fault, int times, String outcome,
                                                    String message) throws Exception {
        which.apply(talkreel.emulators()).behaviour().failNext(operation, fault, times);
        String id = talkreel.client().submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM",
                "Fault " + fault + " on " + service + " " + operation + " times " + times));

        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);

        assertEquals(outcome, end.path("status").asText(), end.toString());
        if ("failed".equals(outcome)) {
            JsonNode error = end.path("error");
            assertTrue(error.path("message").asText().contains(message), error.toString());
            assertTrue(!error.path("error_class").asText().isBlank(), error.toString());
            assertTrue(error.path("attempt").asInt() >= 1, error.toString());
            String step = end.path("current_step").asText();
            assertEquals("failed", end.path("steps").path(step).path("state").asText());
        } else {
            assertTrue(Files.isRegularFile(talkreel.shared().resolve(end.path("result").path("video").asText())));
        }
        for (Route route : talkreel.stack().camel().getRoutes()) {
            assertTrue(talkreel.stack().camel().getRouteController().getRouteStatus(route.getRouteId()).isStarted(),
                    route.getRouteId());
        }
        SUMMARY.add(service + " " + operation + " " + fault + "x" + times + " -> " + end.path("status").asText());
    }

    @Test
    void aDeadServiceGetsABoundedWaitAndAClearFailure(@TempDir Path other) throws Exception {
        int nobody = LocalStack.freePort();
        try (LocalStack dead = LocalStack.start(other, Map.of("talkreel.yttools.url", "http://127.0.0.1:" + nobody))) {
            JobClient c = new JobClient(dead.api(), dead.shared());
            String id = c.submit(JobClient.job("https://youtu.be/ao8f3qyMoLM", "Is anybody there?"));

            JsonNode failed = c.waitForEnd(id, DEADLINE);

            assertEquals("failed", failed.path("status").asText());
            JsonNode error = failed.path("steps").path("audio").path("error");
            assertEquals("HttpHostConnectException", error.path("error_class").asText(), error.toString());
            assertTrue(error.path("message").asText().startsWith("yttools is not reachable"), error.toString());
            assertEquals(4, failed.path("steps").path("audio").path("details").path("tries").asInt(),
                    "talkreel.yttools.retry.attempts");
        }
    }
}
