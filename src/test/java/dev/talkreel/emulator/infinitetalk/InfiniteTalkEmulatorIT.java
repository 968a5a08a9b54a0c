package dev.talkreel.emulator.infinitetalk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Json;
import dev.talkreel.files.PathMap;
import dev.talkreel.media.Ffmpeg;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfiniteTalkEmulatorIT {
    @TempDir
    Path tempDir;
    private Path shared;
    private Path output;
    private GpuMeter gpu;
    private InfiniteTalkEmulator talk;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        shared = Files.createDirectories(tempDir.resolve("shared"));
        output = Files.createDirectories(tempDir.resolve("output"));
        gpu = new GpuMeter();
        talk = new InfiniteTalkEmulator(gpu, PathMap.parse("/data/shared=" + shared + ",/output=" + output), output);
        talk.start("127.0.0.1", 0);
        image("wide.png", 640, 360);
        image("tall.png", 360, 640);
        wav("speech8.wav", 8.0);
        wav("speech4.wav", 3.5);
        wav("short.wav", 2.0);
    }

    @AfterEach
    void stop() {
        talk.close();
    }

    @Test
    void rendersAnInfiniteTalkShapedVideo() throws Exception {
        HttpResponse<String> r = generate(request("wide.png", "speech8.wav", "infinitetalk-480"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode reply = Json.MAPPER.readTree(r.body());
        String videoPath = reply.get("video_path").asText();
        assertTrue(videoPath.matches("/output/infinitetalk_\\d{8}_\\d{6}_[0-9a-f]{8}\\.mp4"), videoPath);
        assertEquals("896x448", reply.get("resolution").asText());
        assertEquals(200, reply.get("frame_count").asInt());
        assertEquals(8.0, reply.get("duration_seconds").asDouble(), 1e-9);
        assertEquals("infinitetalk-480", reply.at("/metadata/resolution_bucket").asText());
        assertEquals("896x448", reply.at("/metadata/actual_resolution").asText());
        assertEquals(42, reply.at("/metadata/seed").asInt());
        assertEquals(40, reply.at("/metadata/diffusion_steps").asInt());
        assertTrue(reply.at("/metadata/color_correction").asBoolean());

        Path video = output.resolve(videoPath.substring("/output/".length()));
        MediaInfo info = MediaProbe.probe(video, true);
        assertEquals("h264", info.video().codecName());
        assertEquals("aac", info.audio().codecName());
        assertEquals(896, info.video().width());
        assertEquals(448, info.video().height());
        assertEquals(25.0, info.video().frameRate(), 1e-9);
        assertEquals(200, info.video().frames());
        assertEquals(8.0, info.durationSeconds(), 0.05);
        try (var files = Files.list(output)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
        assertEquals(1, gpu.runs());
        assertEquals(1, gpu.maxConcurrent());
        assertNull(gpu.firstOverlap());

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/api/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(Json.MAPPER.readTree("{\"status\":\"healthy\",\"model_loaded\":true,\"gpu_available\":true,"
                + "\"version\":\"1.0.0\"}"), Json.MAPPER.readTree(health.body()));
    }

    @Test
    void portraitAnd720BucketsAndPadding() throws Exception {
        talk.setExtraVideoBytes(5_000_000);
        JsonNode tall = Json.MAPPER.readTree(expect(200, generate(request("tall.png", "speech4.wav",
                "infinitetalk-480"))).body());
        assertEquals("448x832", tall.get("resolution").asText());
        assertEquals(87, tall.get("frame_count").asInt());
        Path padded = output.resolve(tall.get("video_path").asText().substring("/output/".length()));
        assertTrue(Files.size(padded) > 5_000_000);
        MediaInfo info = MediaProbe.probe(padded);
        assertEquals(448, info.video().width());
        assertEquals(832, info.video().height());

        talk.setExtraVideoBytes(0);
        JsonNode wide = Json.MAPPER.readTree(expect(200, generate(request("wide.png", "speech4.wav",
                "infinitetalk-720"))).body());
        assertEquals("1280x704", wide.get("resolution").asText());
        Path hd = output.resolve(wide.get("video_path").asText().substring("/output/".length()));
        assertEquals(1280, MediaProbe.probe(hd).video().width());
        assertTrue(Files.size(hd) < 5_000_000);
    }

    @Test
    void answersErrorsLikeTheFastApiWrapper() throws Exception {
        JsonNode missing = Json.MAPPER.readTree(expect(404, generate(request("wide.png", "nope.wav",
                "infinitetalk-480"))).body());
        assertEquals("Audio file not found: /data/shared/nope.wav", missing.get("detail").asText());
        ObjectNode outside = request("wide.png", "speech8.wav", "infinitetalk-480").put("image_path", "/etc/passwd");
        assertEquals("Image file not found: /etc/passwd",
                Json.MAPPER.readTree(expect(404, generate(outside)).body()).get("detail").asText());

        ObjectNode outOfRange = request("wide.png", "speech8.wav", "infinitetalk-480").put("diffusion_steps", 101)
                .put("seed", -1);
        JsonNode invalid = Json.MAPPER.readTree(expect(422, generate(outOfRange)).body());
        assertEquals(2, invalid.get("detail").size());
        JsonNode seed = invalid.at("/detail/0");
        assertEquals("greater_than_equal", seed.get("type").asText());
        assertEquals("[\"body\",\"seed\"]", seed.get("loc").toString());
        assertEquals("Input should be greater than or equal to 0", seed.get("msg").asText());
        assertEquals(-1, seed.get("input").asInt());
        assertEquals("less_than_equal", invalid.at("/detail/1/type").asText());
        ObjectNode noAudio = request("wide.png", "speech8.wav", "infinitetalk-480");
        noAudio.remove("audio_path");
        assertEquals("missing", Json.MAPPER.readTree(expect(422, generate(noAudio)).body()).at("/detail/0/type")
                .asText());

        assertTrue(Json.MAPPER.readTree(expect(500, generate(request("wide.png", "speech8.wav", "infinitetalk-1080")))
                .body()).get("detail").asText().startsWith("400: Invalid resolution"));
        assertEquals("Video generation failed: Aduio file not exists or length not satisfies frame nums.",
                Json.MAPPER.readTree(expect(500, generate(request("wide.png", "short.wav", "infinitetalk-480")))
                        .body()).get("detail").asText());

        talk.behaviour().failNext("generate", Fault.OOM, 1);
        assertTrue(Json.MAPPER.readTree(expect(500, generate(request("wide.png", "speech4.wav", "infinitetalk-480")))
                .body()).get("detail").asText().contains("CUDA out of memory"));
        talk.behaviour().failNext("generate", Fault.ERROR_500, 1);
        assertTrue(Json.MAPPER.readTree(expect(500, generate(request("wide.png", "speech4.wav", "infinitetalk-480")))
                .body()).has("detail"));
        try (var files = Files.list(output)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void meterSeesTwoConcurrentGenerations() throws Exception {
        talk.behaviour().latency("generate", Duration.ofMillis(800));
        CompletableFuture<HttpResponse<String>> a = generateAsync(request("wide.png", "speech4.wav", "infinitetalk-480"));
        CompletableFuture<HttpResponse<String>> b = generateAsync(request("tall.png", "speech4.wav", "infinitetalk-480"));
        assertEquals(200, a.get().statusCode(), a.get().body());
        assertEquals(200, b.get().statusCode(), b.get().body());
        assertEquals(2, gpu.maxConcurrent());
        assertTrue(gpu.firstOverlap().startsWith("infinitetalk"));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private ObjectNode request(String image, String audio, String resolution) {
        return Json.object().put("audio_path", "/data/shared/" + audio).put("image_path", "/data/shared/" + image)
                .put("prompt", "").put("resolution", resolution);
    }

    private HttpResponse<String> generate(JsonNode body) throws Exception {
        return generateAsync(body).get();
    }

    private CompletableFuture<HttpResponse<String>> generateAsync(JsonNode body) {
        return http.sendAsync(HttpRequest.newBuilder(uri("/api/generate-video")).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        return r;
    }

    private URI uri(String path) {
        return URI.create(talk.baseUrl() + path);
    }

    private void image(String name, int width, int height) throws Exception {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40, 90, 160));
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(230, 190, 160));
        g.fillOval(width / 3, height / 4, width / 3, height / 2);
        g.dispose();
        ImageIO.write(img, "png", shared.resolve(name).toFile());
    }

    private void wav(String name, double seconds) throws Exception {
        Ffmpeg.run(Duration.ofMinutes(1), "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=24000",
                "-t", String.valueOf(seconds), shared.resolve(name).toString());
    }
}
