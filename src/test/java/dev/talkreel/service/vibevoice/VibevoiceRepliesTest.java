package dev.talkreel.service.vibevoice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.service.ServiceReplyException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vibevoice-api's /api/tts reply (docs/SERVICES.md §3.2), decoded as it streams into a real file. */
class VibevoiceRepliesTest {
    @TempDir
    Path dir;
    private final VibevoiceReplies replies = new VibevoiceReplies(null);

    private static ByteArrayInputStream reply(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSpeechIsWrittenToTheFileAndTheSmallFieldsBecomeFacts() throws Exception {
        byte[] wav = "RIFF....WAVEfmt not really audio".getBytes(StandardCharsets.US_ASCII);
        Path target = dir.resolve("voice.wav");
        Map<String, Object> facts = replies.speech(reply("{\"audio_base64\": \"" + Base64.getEncoder().encodeToString(wav)
                + "\", \"sample_rate\": 24000, \"format\": \"wav\", \"duration_seconds\": 7.52, \"model_used\": "
                + "\"VibeVoice-Large\", \"metadata\": {\"seed\": 42, \"cfg_scale\": 1.5}}"), target);
        assertArrayEquals(wav, Files.readAllBytes(target));
        assertEquals(24000, facts.get("vibevoice_sample_rate"));
        assertEquals("wav", facts.get("vibevoice_format"));
        assertEquals("VibeVoice-Large", facts.get("vibevoice_model_used"));
        assertEquals(7.52, ((Number) facts.get("vibevoice_duration_seconds")).doubleValue());
        assertFalse(facts.containsKey("vibevoice_metadata"), "nested objects are skipped unread");
    }

    @Test
    void aReplyWithoutSpeechIsABadReplyWorthAnotherTry() {
        Path target = dir.resolve("voice.wav");
        ServiceReplyException none = assertThrows(ServiceReplyException.class,
                () -> replies.speech(reply("{\"sample_rate\": 24000, \"format\": \"wav\"}"), target));
        assertTrue(none.getMessage().contains("audio_base64"), none.getMessage());
        assertThrows(ServiceReplyException.class, () -> replies.speech(reply("[\"not an object\"]"), target));
        assertThrows(ServiceReplyException.class, () -> replies.speech(null, target));
        assertFalse(Files.exists(target));
    }

    @Test
    void longTextFieldsAreNotKept() throws Exception {
        String huge = "x".repeat(100_000);
        Map<String, Object> facts = replies.speech(reply("{\"audio_base64\": \"AAAA\", \"log\": \"" + huge + "\"}"),
                dir.resolve("voice.wav"));
        assertFalse(facts.containsKey("vibevoice_log"));
    }
}
