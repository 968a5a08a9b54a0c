package dev.talkreel.emulator.vibevoice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Call;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Json;
import dev.talkreel.emulator.Reply;
import dev.talkreel.emulator.ReplyException;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays the {@code petebytes/localai vibevoice-api-server} FastAPI wrapper (docs/SERVICES.md 3.2): a synchronous
 * {@code POST /api/tts} that clones a reference voice and answers with base64 audio. Like the real wrapper it gives
 * 400 only for a wrong Content-Type or an unparsable body; everything else, field validation included, is a 500
 * "Generation failed: ...". Generation holds the emulated GPU for the "tts" latency (the ffmpeg work inside it).
 *
 * <p>Operations: "tts" (fault OOM: CUDA out of memory; HUGE fills audio_base64), "tts-wav", "health", "models"
 * (the list, and {@code POST /api/models/{name}/unload}, which frees its memory on the emulated GPU). The model is
 * loaded on the first TTS call and stays; a call it does not fit beside the other services' models fails with the
 * wrapper's CUDA out-of-memory error.
 * "tts-wav" ({@code POST /api/tts/wav}) is a swapped TTS service of the kind examples/routes/voice-rawwav.camel.yaml
 * calls: the same multipart request, answered with the raw WAV bytes (audio/wav) instead of JSON.
 */
public final class VibevoiceEmulator extends EmulatorServer {
    private static final List<String> MODELS = List.of("VibeVoice-1.5B", "VibeVoice-Large");
    private static final String OOM = "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 31.36 GiB total"
            + " capacity; 28.91 GiB already allocated; 1.12 GiB free; 29.47 GiB reserved in total by PyTorch) If"
            + " reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See"
            + " documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF";

    /** The model loaded on the emulated GPU (null: none); the real server loads one on first use and keeps it. */
    private String loadedModel;
    private final Object modelLock = new Object();

    /** VibeVoice-Large on the GPU: about 18 GB (docs/SERVICES.md §2.5); emulator.vibevoice.model-vram-gb. */
    public VibevoiceEmulator(GpuMeter gpu) {
        super("vibevoice-api", gpu);
        model(18, 18, Duration.ZERO);
    }

    @Override
    protected void routes() {
        on(HttpMethod.POST, "/api/tts", "tts", this::tts);
        on(HttpMethod.POST, "/api/tts/wav", "tts-wav", call -> Reply.bytes("audio/wav", speak(call).speech().audio()));
        on(HttpMethod.GET, "/api/health", "health", call -> Reply.json(Map.of("status", "healthy",
                "model_loaded", true, "gpu_available", true, "version", "1.0.0")));
        on(HttpMethod.GET, "/api/models", "models", call -> models());
        on(HttpMethod.POST, "/api/models/:name/unload", "models", call -> unload(call.pathParam("name")));
    }

    /** ModelsListResponse: the models there are, and the one loaded (null when none). */
    private Reply models() {
        String current = loaded();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("models", MODELS.stream().map(m -> Map.of("name", m, "loaded", m.equals(current))).toList());
        body.put("current_model", current);
        return Reply.json(body);
    }

    /** main.py's unload_model: only the loaded model can be unloaded (400 otherwise); its GPU memory is freed. */
    private Reply unload(String model) {
        synchronized (modelLock) {
            if (!model.equals(loadedModel)) {
                return Reply.json(400, Map.of("detail", "Model " + model + " is not loaded"));
            }
            gpu.unload(name);
            loadedModel = null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("model", model);
        body.put("loaded", false);
        return Reply.json(body);
    }

    private String loaded() {
        synchronized (modelLock) {
            return loadedModel;
        }
    }

    /** A huge TTS reply fills audio_base64, the field a client decodes as it streams. */
    @Override
    protected String hugePrefix(String operation) {
        return "tts".equals(operation) ? "{\"sample_rate\": 24000, \"audio_base64\": \"" : super.hugePrefix(operation);
    }

    @Override
    protected Reply errorReply(int status, String message) {
        return Reply.json(status, Map.of("detail", message));
    }

    private Reply tts(Call call) throws Exception {
        Spoken spoken = speak(call);
        Speech speech = spoken.speech();
        TtsRequest request = spoken.request();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("audio_base64", Base64.getEncoder().encodeToString(speech.audio()));
        body.put("sample_rate", Speech.SAMPLE_RATE);
        body.put("format", request.outputFormat());
        body.put("duration_seconds", speech.seconds());
        body.put("model_used", request.model());
        body.put("metadata", Map.of("seed", request.seed(), "cfg_scale", request.cfgScale()));
        return Reply.json(body);
    }

    /** A request and the speech made for it. */
    private record Spoken(TtsRequest request, Speech speech) {
    }

    /** Checks a TTS request (either endpoint) and speaks it on the emulated GPU. */
    private Spoken speak(Call call) throws Exception {
        JsonNode input = input(call);
        ModelCheck check = new ModelCheck("TTSRequest", input);
        TtsRequest request = TtsRequest.read(check);
        if (request == null) {
            throw generationFailed(check.message());
        }
        if (!MODELS.contains(request.model())) {
            throw generationFailed("Unknown model '" + request.model() + "'. Available models: "
                    + String.join(", ", MODELS));
        }
        if (request.words() == 0) {
            throw generationFailed("text has no words to speak");
        }
        Path upload = call.upload("voice_audio");
        Path decoded = upload == null && request.voiceAudioBase64() != null ? decode(request.voiceAudioBase64()) : null;
        try {
            Path voice = upload != null ? upload : decoded;
            if (voice == null) {
                throw generationFailed("a reference voice is required for cloning: send a voice_audio file part or"
                        + " voice_audio_base64");
            }
            checkVoice(voice);
            journal("tts " + request.text());
            Speech speech = onGpu("vibevoice", () -> generate(call, request));
            return new Spoken(request, speech);
        } finally {
            if (decoded != null) {
                deleteQuietly(decoded);
            }
        }
    }

    /**
     * The emulated model run: out of memory when planned or when the model does not fit on the device beside what
     * the other services hold, else the ffmpeg synthesis, all within the "tts" latency from the request's arrival.
     */
    private Speech generate(Call call, TtsRequest request) throws Exception {
        if (call.fault() == Fault.OOM || !switchTo(call, request.model())) {
            throw generationFailed(OOM);
        }
        try {
            return within(call, behaviour.latency("tts"), () -> Speech.say(request.text(), request.voiceSpeedFactor(),
                    request.outputFormat()), speech -> { });
        } finally {
            endWork();
        }
    }

    /** Loads the requested model as the wrapper does (another loaded one is let go first); false: no room. */
    private boolean switchTo(Call call, String model) throws InterruptedException {
        synchronized (modelLock) {
            if (loadedModel != null && !loadedModel.equals(model)) {
                gpu.unload(name);
            }
            loadedModel = null;
            if (!startWork(call)) {
                return false;
            }
            loadedModel = model;
            return true;
        }
    }

    /** The request as one JSON object: the JSON body, or the multipart form fields (strings, as FastAPI sees them). */
    private static JsonNode input(Call call) {
        String type = call.contentType();
        if (type.startsWith("application/json")) {
            try {
                JsonNode json = Json.parse(call.body());
                if (json.isMissingNode()) {
                    throw badRequest("Invalid JSON body: the body is empty");
                }
                if (!json.isObject()) {
                    throw generationFailed("1 validation error for TTSRequest\n  Input should be a valid dictionary or"
                            + " instance of TTSRequest [type=model_type, input_value=" + ModelCheck.repr(json)
                            + ", input_type=" + ModelCheck.pythonType(json) + "]");
                }
                return json;
            } catch (IOException e) {
                throw badRequest("Invalid JSON body: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        if (type.startsWith("multipart/form-data")) {
            ObjectNode form = Json.object();
            for (String field : TtsRequest.FIELDS) {
                String value = call.formField(field);
                if (value != null) {
                    form.put(field, value);
                }
            }
            return form;
        }
        throw badRequest("Content-Type must be application/json or multipart/form-data, got '" + type + "'");
    }

    private static Path decode(String base64) throws IOException {
        byte[] bytes;
        try {
            // Python's b64decode skips characters outside the alphabet (line breaks); the MIME decoder does too
            bytes = Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw generationFailed("Invalid base64 in voice_audio_base64: " + e.getMessage());
        }
        Path file = Files.createTempFile("vibevoice-voice", ".audio");
        Files.write(file, bytes);
        return file;
    }

    /** The real wrapper loads the voice with librosa; a file ffprobe cannot read as audio fails the same way. */
    private static void checkVoice(Path voice) {
        MediaInfo info;
        try {
            info = MediaProbe.probe(voice);
        } catch (IOException e) {
            throw generationFailed("could not read the reference voice audio: " + e.getMessage());
        }
        if (info.audio() == null) {
            throw generationFailed("could not read the reference voice audio: it has no audio stream");
        }
    }

    private static ReplyException generationFailed(String reason) {
        return new ReplyException(Reply.json(500, Map.of("detail", "Generation failed: " + reason)));
    }

    private static ReplyException badRequest(String detail) {
        return new ReplyException(Reply.json(400, Map.of("detail", detail)));
    }
}
