package dev.talkreel.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.emulator.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * examples/routes/voice-rawwav.camel.yaml loaded instead of routes/step-voice.camel.yaml: the voice step calls a TTS
 * service that answers with raw WAV bytes (the vibevoice emulator's POST /api/tts/wav). The rest of the pipeline is
 * unchanged; the result and the errors name the new service.
 */
class VoiceRawWavIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of(
            "camel.main.routes-include-pattern", "file:routes/*.camel.yaml,file:examples/routes/voice-rawwav.camel.yaml",
            "camel.main.routes-exclude-pattern", "file:routes/step-voice.camel.yaml",
            "talkreel.rawtts.retry.initial-delay-ms", "100"));

    @Test
    void theSwappedServiceSpeaksAndTheResultNamesIt() throws Exception {
        String id = talkreel.client().submit(JobClient.job(URL, "Spoken by a service that sends plain WAV."));
        JsonNode done = talkreel.client().waitForEnd(id, DEADLINE);
        assertEquals("done", done.path("status").asText(), done.toString());
        assertEquals(1, talkreel.emulators().vibevoice.calls().count("POST /api/tts/wav"));
        assertEquals(0, talkreel.emulators().vibevoice.calls().count("POST /api/tts"), "the stock voice step is out");

        Path result = JobClient.waitForFile(talkreel.shared().resolve("outbox/" + id + ".json"), DEADLINE);
        JsonNode voice = JobClient.JSON.readTree(result.toFile()).path("steps").path("voice");
        assertEquals("rawwav-tts", voice.path("service").asText(), voice.toString());
        assertTrue(voice.path("artifact").asText().endsWith(id + "/voice-8s.wav"), voice.toString());
        assertEquals(8.0, voice.path("details").path("padded_seconds").asDouble(), 0.001);
    }

    @Test
    void itsErrorsNameTheSwappedService() throws Exception {
        talkreel.emulators().vibevoice.behaviour().failNext("tts-wav", Fault.ERROR_500, 10);
        String id = talkreel.client().submit(JobClient.job(URL, "This one will not be spoken."));
        JsonNode failed = talkreel.client().waitForEnd(id, DEADLINE);
        assertEquals("failed", failed.path("status").asText(), failed.toString());
        assertEquals("voice", failed.path("current_step").asText());
        String message = failed.path("steps").path("voice").path("error").path("message").asText();
        assertTrue(message.startsWith("rawwav-tts answered HTTP 500"), message);
        assertEquals(3, failed.path("steps").path("voice").path("details").path("tries").asInt(),
                "talkreel.default.retry.attempts: " + failed);
    }
}
