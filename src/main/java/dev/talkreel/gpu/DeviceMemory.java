package dev.talkreel.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The GPU's free memory as ComfyUI's {@code GET /system_stats} reports it: {@code devices[0].vram_free}, in bytes, of
 * the whole device (every process on it, not only ComfyUI's), docs/SERVICES.md §1.4 and §2.5. talkreel's one reader
 * of it: the VRAM hand-off and the wait after a restart both ask here.
 */
public final class DeviceMemory {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI stats;
    private final HttpClient http;

    /** {@code comfyuiUrl}: talkreel.comfyui.url. */
    public DeviceMemory(String comfyuiUrl, HttpClient http) {
        this.stats = URI.create(comfyuiUrl.replaceAll("/+$", "") + "/system_stats");
        this.http = http;
    }

    /** The device's free memory in bytes, or null when it cannot be asked (ComfyUI down, an answer without it). */
    public Long freeBytes() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(stats).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode device = JSON.readTree(r.body()).path("devices").path(0);
            return r.statusCode() == 200 && device.has("vram_free") ? device.path("vram_free").asLong() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public URI uri() {
        return stats;
    }
}
