package dev.talkreel.emulator.vibevoice;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Json;
import dev.talkreel.media.Ffmpeg;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the VibeVoice wrapper emulator over real HTTP, with JSON and multipart requests. */
class VibevoiceEmulatorTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TWENTY_WORDS = "one two three four five six seven eight nine ten "
            + "eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty";

    @TempDir
    static Path dir;
    private static final GpuMeter GPU = new GpuMeter();
    private static VibevoiceEmulator emulator;
    private static byte[] voice;

    @BeforeAll
    static void start() throws Exception {
        Path wav = dir.resolve("voice.wav");
        Ffmpeg.run(Duration.ofSeconds(30), "-f", "lavfi", "-i", "sine=frequency=180:sample_rate=16000:duration=2",
                "-c:a", "pcm_s16le", wav.toString());
        voice = Files.readAllBytes(wav);
        emulator = new VibevoiceEmulator(GPU);
        emulator.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @BeforeEach
    void reset() {
        emulator.behaviour().reset();
        emulator.calls().reset();
        GPU.reset();
    }

    @Test
    void healthAndModels() throws Exception {
        HttpResponse<String> health = get("/api/health");
        assertEquals(200, health.statusCode());
        assertEquals(Map.of("status", "healthy", "model_loaded", true, "gpu_available", true, "version", "1.0.0"),
                Json.MAPPER.readValue(health.body(), Map.class));
        JsonNode models = Json.MAPPER.readTree(get("/api/models").body()).get("models");
        assertEquals("VibeVoice-1.5B", models.get(0).get("name").asText());
        assertEquals("VibeVoice-Large", models.get(1).get("name").asText());
        assertEquals(1, emulator.calls().count("GET /api/models"));
    }

    @Test
    void jsonRequestSpeaksAtTwoAndAHalfWordsASecond() throws Exception {
        HttpResponse<String> r = postJson(Map.of("text", TWENTY_WORDS, "voice_audio_base64", base64Voice()));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertEquals(24000, body.get("sample_rate").asInt());
        assertEquals("wav", body.get("format").asText());
        assertEquals("VibeVoice-Large", body.get("model_used").asText());
        assertEquals(42, body.get("metadata").get("seed").asInt());
        assertEquals(1.3, body.get("metadata").get("cfg_scale").asDouble(), 1e-9);
        assertEquals(8.0, body.get("duration_seconds").asDouble(), 1e-9);
        MediaInfo info = probe(body, "wav");
        assertEquals("pcm_s16le", info.audio().codecName());
        assertEquals(24000, info.audio().sampleRate());
        assertEquals(1, info.audio().channels());
        assertEquals(8.0, info.durationSeconds(), 0.05);
        assertEquals(1, GPU.runs());
        assertEquals(1, emulator.calls().count("POST /api/tts"));
    }

    @Test
    void multipartRequestAsN8nSendsIt() throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("text", TWENTY_WORDS + " and five more words here");
        fields.put("model", "VibeVoice-Large");
        fields.put("cfg_scale", "1.5");
        fields.put("diffusion_steps", "30");
        fields.put("use_sampling", "true");
        fields.put("temperature", "0.75");
        fields.put("top_p", "0.85");
        fields.put("output_format", "mp3");
        HttpResponse<String> r = postMultipart(fields, voice);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertEquals("mp3", body.get("format").asText());
        assertEquals(1.5, body.get("metadata").get("cfg_scale").asDouble(), 1e-9);
        double seconds = body.get("duration_seconds").asDouble();
        assertEquals(10.0, seconds, 1e-9);
        MediaInfo info = probe(body, "mp3");
        assertEquals("mp3", info.audio().codecName());
        assertEquals(24000, info.audio().sampleRate());
        assertEquals(seconds, info.durationSeconds(), 0.05);
    }

    @Test
    void speedFactorAndOgg() throws Exception {
        HttpResponse<String> r = postJson(Map.of("text", TWENTY_WORDS, "voice_audio_base64", base64Voice(),
                "voice_speed_factor", 0.8, "output_format", "ogg", "model", "VibeVoice-1.5B", "seed", 7));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertEquals(10.0, body.get("duration_seconds").asDouble(), 1e-9);
        assertEquals("VibeVoice-1.5B", body.get("model_used").asText());
        assertEquals(7, body.get("metadata").get("seed").asInt());
        MediaInfo info = probe(body, "ogg");
        assertEquals("vorbis", info.audio().codecName());
        assertEquals(24000, info.audio().sampleRate());
        assertEquals(10.0, info.durationSeconds(), 0.05);
    }

    @Test
    void fieldValidationIsAGenerationFailure() throws Exception {
        assertGenerationFailed(Map.of("voice_audio_base64", base64Voice()), "text\n  Field required [type=missing");
        assertGenerationFailed(Map.of("text", ""), "String should have at least 1 character");
        assertGenerationFailed(Map.of("text", "   "), "no words");
        assertGenerationFailed(Map.of("text", "hi", "seed", -1), "seed\n  Input should be greater than or equal to 0");
        assertGenerationFailed(Map.of("text", "hi", "cfg_scale", 11), "less than or equal to 10");
        assertGenerationFailed(Map.of("text", "hi", "diffusion_steps", 0), "greater than or equal to 1");
        assertGenerationFailed(Map.of("text", "hi", "voice_speed_factor", 1.5), "less than or equal to 1.2");
        assertGenerationFailed(Map.of("text", "hi", "output_format", "flac"),
                "Input should be 'wav', 'mp3' or 'ogg' [type=literal_error, input_value='flac', input_type=str]");
        assertGenerationFailed(Map.of("text", "hi", "seed", "x", "top_p", "y"), "2 validation errors for TTSRequest");
        assertGenerationFailed(Map.of("text", "hi", "model", "VibeVoice-7B"), "Unknown model 'VibeVoice-7B'");
        assertEquals(0, GPU.runs());
    }

    @Test
    void aReferenceVoiceIsRequired() throws Exception {
        assertGenerationFailed(Map.of("text", "hello there"), "a reference voice is required");
        String notAudio = Base64.getEncoder().encodeToString("certainly not audio".getBytes(StandardCharsets.UTF_8));
        assertGenerationFailed(Map.of("text", "hello there", "voice_audio_base64", notAudio),
                "could not read the reference voice audio");
        HttpResponse<String> r = postMultipart(Map.of("text", "hello there"), "nope".getBytes(StandardCharsets.UTF_8));
        assertEquals(500, r.statusCode());
        assertTrue(detail(r).startsWith("Generation failed: could not read the reference voice audio"), r.body());
    }

    @Test
    void badContentTypeOrBodyIs400() throws Exception {
        HttpResponse<String> text = send(HttpRequest.newBuilder(uri("/api/tts")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
        assertEquals(400, text.statusCode());
        assertTrue(detail(text).contains("Content-Type"), text.body());
        HttpResponse<String> broken = send(HttpRequest.newBuilder(uri("/api/tts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\": ")));
        assertEquals(400, broken.statusCode());
        assertTrue(detail(broken).startsWith("Invalid JSON"), broken.body());
    }

    @Test
    void outOfMemoryIsAGenerationFailure() throws Exception {
        emulator.behaviour().failNext("tts", Fault.OOM, 1);
        HttpResponse<String> r = postJson(Map.of("text", "hello there", "voice_audio_base64", base64Voice()));
        assertEquals(500, r.statusCode());
        assertTrue(detail(r).startsWith("Generation failed: CUDA out of memory. Tried to allocate"), r.body());
        assertEquals(1, GPU.runs());
        assertEquals(200, postJson(Map.of("text", "hello there", "voice_audio_base64", base64Voice())).statusCode());
    }

    @Test
    void generationHoldsTheGpuForItsLatency() throws Exception {
        emulator.behaviour().latency("tts", Duration.ofMillis(800));
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> pending = HTTP.sendAsync(HttpRequest.newBuilder(uri("/api/tts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(
                        Json.bytes(Map.of("text", "hello there", "voice_audio_base64", base64Voice())))).build(),
                HttpResponse.BodyHandlers.ofString());
        await("the GPU becomes busy").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> GPU.busy() > 0);
        assertEquals(200, pending.get().statusCode());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(800).toNanos());
        assertEquals(0, GPU.busy());
    }

    @Test
    void genericFaults() throws Exception {
        emulator.behaviour().failNext("tts", Fault.ERROR_500, 1);
        HttpResponse<String> error = postJson(Map.of("text", "hi"));
        assertEquals(500, error.statusCode());
        assertTrue(Json.MAPPER.readTree(error.body()).get("detail").isTextual());

        emulator.behaviour().failNext("health", Fault.MALFORMED, 1);
        HttpResponse<String> malformed = get("/api/health");
        assertThrows(IOException.class, () -> Json.MAPPER.readTree(malformed.body()));

        // a POST: the JDK client silently retries an idempotent GET whose connection closed before any byte came
        emulator.behaviour().failNext("tts", Fault.DROP, 1);
        assertThrows(IOException.class, () -> postJson(Map.of("text", "hi")));

        emulator.behaviour().failNext("tts", Fault.HANG, 1);
        assertThrows(HttpTimeoutException.class, () -> send(HttpRequest.newBuilder(uri("/api/tts"))
                .timeout(Duration.ofSeconds(1)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}"))));
        assertEquals(3, emulator.calls().count("POST /api/tts"));
        assertEquals(0, GPU.runs());
    }

    private void assertGenerationFailed(Map<String, Object> body, String expected) throws Exception {
        HttpResponse<String> r = postJson(body);
        assertEquals(500, r.statusCode(), r.body());
        String detail = detail(r);
        assertTrue(detail.startsWith("Generation failed: "), detail);
        assertTrue(detail.contains(expected), detail);
    }

    private static String detail(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body()).get("detail").asText();
    }

    private MediaInfo probe(JsonNode body, String extension) throws IOException {
        Path file = Files.createTempFile(dir, "speech", "." + extension);
        Files.write(file, Base64.getDecoder().decode(body.get("audio_base64").asText()));
        return MediaProbe.probe(file);
    }

    @Test
    void theModelStaysLoadedUntilUnloadedAndDoesNotFitBesideAnotherServicesModel() throws Exception {
        // a fresh start of the state this class shares: no model on the device
        emulator.close();
        emulator = new VibevoiceEmulator(GPU);
        emulator.start("127.0.0.1", 0);
        GPU.unload("vibevoice-api");
        GPU.reset();
        assertTrue(Json.MAPPER.readTree(get("/api/models").body()).get("current_model").isNull());

        assertEquals(200, postJson(Map.of("text", "hello there", "voice_audio_base64", base64Voice())).statusCode());
        assertEquals(200, postJson(Map.of("text", "hello again", "voice_audio_base64", base64Voice())).statusCode());
        assertEquals(1, GPU.loads("vibevoice-api"), "loaded on first use, then kept");
        assertEquals(18L << 30, GPU.held("vibevoice-api"));
        JsonNode models = Json.MAPPER.readTree(get("/api/models").body());
        assertEquals("VibeVoice-Large", models.get("current_model").asText());
        assertTrue(models.get("models").get(1).get("loaded").asBoolean());

        HttpResponse<String> wrong = send(HttpRequest.newBuilder(uri("/api/models/VibeVoice-1.5B/unload"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(400, wrong.statusCode());
        assertEquals("Model VibeVoice-1.5B is not loaded", Json.MAPPER.readTree(wrong.body()).get("detail").asText());
        HttpResponse<String> unload = send(HttpRequest.newBuilder(uri("/api/models/VibeVoice-Large/unload"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, unload.statusCode(), unload.body());
        assertFalse(Json.MAPPER.readTree(unload.body()).get("loaded").asBoolean());
        assertEquals(0, GPU.held("vibevoice-api"));
        assertEquals(1, GPU.unloads());

        // another service's 20 GB model on the 32 GB card: the wrapper's own CUDA out-of-memory error
        GPU.load("comfyui", 20L << 30);
        try {
            HttpResponse<String> oom = postJson(Map.of("text", "no room", "voice_audio_base64", base64Voice()));
            assertEquals(500, oom.statusCode());
            assertTrue(oom.body().contains("Generation failed: CUDA out of memory"), oom.body());
            assertEquals(1, GPU.refusals());
        } finally {
            GPU.unload("comfyui");
        }
    }

    private static String base64Voice() {
        return Base64.getEncoder().encodeToString(voice);
    }

    private HttpResponse<String> postJson(Map<String, Object> body) throws Exception {
        return send(HttpRequest.newBuilder(uri("/api/tts")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(new HashMap<>(body)))));
    }

    private HttpResponse<String> postMultipart(Map<String, String> fields, byte[] voiceFile) throws Exception {
        String boundary = "----talkreel" + System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey()
                    + "\"\r\n\r\n" + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"voice_audio\";"
                + " filename=\"voice.wav\"\r\nContent-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(voiceFile);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(uri("/api/tts"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create(emulator.baseUrl() + path);
    }
}
