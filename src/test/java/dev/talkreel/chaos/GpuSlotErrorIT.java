package dev.talkreel.chaos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.gpu.GpuGate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A java.lang.Error inside a GPU step (an OutOfMemoryError, thrown here on purpose by a bean at the start of the TTS call) is
 * no Exception, so no step handler takes it: the GPU slot template catches it, the job fails with a message, the
 * slot comes back and the next job finishes.
 */
class GpuSlotErrorIT {
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());

    /** Throws an OutOfMemoryError on its first call, from a bean, as a reply reader running out of heap would. */
    public static final class HeapExhaustion {
        private final AtomicBoolean armed = new AtomicBoolean(true);

        public void once() {
            if (armed.getAndSet(false)) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
        }
    }

    @Test
    void anOutOfMemoryErrorEndsTheJobNotTheSlot() throws Exception {
        AdviceWith.adviceWith(talkreel.stack().camel(), "voice-call",
                a -> a.weaveAddFirst().bean(new HeapExhaustion(), "once"));
        String id = talkreel.client().submit(JobClient.job(URL, "Out of heap."));

        JsonNode failed = talkreel.client().waitForEnd(id, Duration.ofSeconds(90));

        assertEquals("failed", failed.path("status").asText(), failed.toString());
        JsonNode error = failed.path("steps").path("voice").path("error");
        assertEquals("OutOfMemoryError", error.path("error_class").asText(), failed.toString());
        assertTrue(error.path("message").asText().contains("Java heap space"), error.toString());
        GpuGate gate = talkreel.stack().camel().getRegistry().lookupByNameAndType("gpuGate", GpuGate.class);
        await("the GPU slot comes back").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> gate.freeSlots() == gate.capacity());
        System.out.println("OutOfMemoryError in the voice step: job failed with '" + error.path("message").asText()
                + "', GPU slot free");

        String next = talkreel.client().submit(JobClient.job(URL, "Business as usual."));
        assertEquals("done", talkreel.client().waitForEnd(next, Duration.ofSeconds(90)).path("status").asText());
    }
}
