package dev.talkreel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Emulators;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * The seed's n8n workflow (shared/seed/PROJECT-STATUS-COMPLETE.md) as a plain sequential driver against the same
 * emulators, for comparison: yttools submit, then a Wait node of 3 s before each status poll, download; VibeVoice TTS
 * (synchronous); ComfyUI /prompt, a Wait node of 5 s before each /history poll, /view; InfiniteTalk (synchronous).
 * One step after the other, as the n8n flow runs them. Artifacts go to the shared volume under n8n/&lt;run&gt;/, as
 * the seed's services share /data/shared.
 */
final class N8nFlow {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long YTTOOLS_WAIT_MS = 3000;
    private static final long COMFYUI_WAIT_MS = 5000;
    private static final int MAX_POLLS = 60;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Emulators emulators;
    private final Path shared;
    private final JsonNode workflow;
    private int runs;

    /** Milliseconds from the start to voice and portrait both on disk, and to the video. */
    record Times(long stepsOneToThreeMs, long videoMs) {
    }

    N8nFlow(Emulators emulators, Path shared) throws IOException {
        this.emulators = emulators;
        this.shared = shared;
        this.workflow = JSON.readTree(Path.of("config/comfyui/wan-portrait-api.json").toFile());
    }

    Times run(String youtubeUrl, String script) throws Exception {
        long start = System.nanoTime();
        Path folder = Files.createDirectories(shared.resolve("n8n").resolve(String.valueOf(++runs)));
        // step 1: yttools
        String yt = emulators.yttools.baseUrl();
        String task = post(yt + "/api/download", JSON.createObjectNode().put("url", youtubeUrl).put("start_time", 40)
                .put("end_time", 70).put("audio_format", "mp3")).path("task_id").asText();
        pollAfterWaits(YTTOOLS_WAIT_MS, yt + "/api/status/" + task, s -> switch (s.path("status").asText()) {
            case "completed" -> true;
            case "failed" -> throw new IllegalStateException("yttools task failed: " + s);
            default -> false;
        });
        byte[] sample = getBytes(yt + "/api/download/" + task + "/audio");
        // step 2: VibeVoice, the sample sent along
        JsonNode tts = post(emulators.vibevoice.baseUrl() + "/api/tts", JSON.createObjectNode().put("text", script)
                .put("voice_audio_base64", Base64.getEncoder().encodeToString(sample)));
        Path voice = Files.write(folder.resolve("voice.wav"), Base64.getDecoder().decode(tts.path("audio_base64")
                .asText()));
        // step 3: ComfyUI
        String comfy = emulators.comfyui.baseUrl();
        ObjectNode prompt = JSON.createObjectNode().put("client_id", "n8n");
        // a seed of its own per run, as a new portrait asks: ComfyUI answers a prompt it ran before from its cache
        ObjectNode graph = workflow.deepCopy();
        ((ObjectNode) graph.path("3").path("inputs")).put("seed", runs);
        prompt.set("prompt", graph);
        String promptId = post(comfy + "/prompt", prompt).path("prompt_id").asText();
        JsonNode entry = pollAfterWaits(COMFYUI_WAIT_MS, comfy + "/history/" + promptId,
                h -> switch (h.path(promptId).path("status").path("status_str").asText()) {
                    case "success" -> true;
                    case "" -> false;
                    default -> throw new IllegalStateException("ComfyUI prompt failed: " + h);
                });
        JsonNode image = firstImage(entry.path(promptId).path("outputs"));
        Path portrait = Files.write(folder.resolve("portrait.png"), getBytes(comfy + "/view?filename="
                + encode(image.path("filename").asText()) + "&subfolder=" + encode(image.path("subfolder").asText())
                + "&type=" + encode(image.path("type").asText("output"))));
        long stepsOneToThree = (System.nanoTime() - start) / 1_000_000;
        // step 4: InfiniteTalk, paths as the service sees the shared volume
        post(emulators.infinitetalk.baseUrl() + "/api/generate-video", JSON.createObjectNode()
                .put("audio_path", "/data/shared/" + shared.relativize(voice))
                .put("image_path", "/data/shared/" + shared.relativize(portrait)));
        return new Times(stepsOneToThree, (System.nanoTime() - start) / 1_000_000);
    }

    private interface Done {
        boolean test(JsonNode reply);
    }

    /** n8n's loop: a Wait node of fixed length, then one poll, again until done (at most MAX_POLLS). */
    private JsonNode pollAfterWaits(long waitMs, String url, Done done) throws Exception {
        for (int i = 0; i < MAX_POLLS; i++) {
            // the flow's own fixed wait: what this driver exists to measure
            Thread.sleep(waitMs);
            JsonNode reply = JSON.readTree(getBytes(url));
            if (done.test(reply)) {
                return reply;
            }
        }
        throw new IllegalStateException(url + " not done after " + MAX_POLLS + " polls");
    }

    private static JsonNode firstImage(JsonNode outputs) {
        for (JsonNode node : outputs) {
            if (node.path("images").size() > 0) {
                return node.path("images").get(0);
            }
        }
        throw new IllegalStateException("no image in the ComfyUI outputs: " + outputs);
    }

    private JsonNode post(String url, JsonNode body) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(
                        JSON.writeValueAsBytes(body))).build(), HttpResponse.BodyHandlers.ofByteArray());
        return JSON.readTree(checked(url, r));
    }

    private byte[] getBytes(String url) throws Exception {
        return checked(url, http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1)).build(),
                HttpResponse.BodyHandlers.ofByteArray()));
    }

    private static byte[] checked(String url, HttpResponse<byte[]> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + ": HTTP " + r.statusCode() + " "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
