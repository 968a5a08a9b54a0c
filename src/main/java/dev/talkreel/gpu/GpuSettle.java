package dev.talkreel.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a restart, a synchronous GPU call that was in flight (VibeVoice, InfiniteTalk) may still be running on the
 * service: killing talkreel does not stop the render. Calling again at once would put two renders on one GPU. So the
 * step, holding its GPU slot, first waits until the device shows the memory the step needs free (ComfyUI's
 * {@code /system_stats} reports the whole device, docs/SERVICES.md §2.5), or until a grace period has passed when the
 * device cannot be asked. Bounded, like every wait.
 */
public final class GpuSettle {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.gpu");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI stats;
    private final Function<String, Long> bytesNeededByStep;
    private final long maxWaitMs;
    private final long pollMs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param stats the device's memory report (ComfyUI's /system_stats)
     * @param bytesNeededByStep per step, the VRAM it needs free; null for a step it does not apply to (not on the GPU,
     *        or no talkreel.&lt;service&gt;.vram-gb)
     */
    public GpuSettle(URI stats, Function<String, Long> bytesNeededByStep, long maxWaitMs, long pollMs) {
        this.stats = stats;
        this.bytesNeededByStep = bytesNeededByStep;
        this.maxWaitMs = maxWaitMs;
        this.pollMs = pollMs;
    }

    public boolean appliesTo(String step) {
        return bytesNeededByStep.apply(step) != null;
    }

    /** Waits until the GPU has room for {@code step}, or the grace period is over; returns the time waited. */
    public long awaitQuiet(String jobId, String step) throws InterruptedException {
        long needed = bytesNeededByStep.apply(step);
        long start = System.nanoTime();
        long deadline = start + Duration.ofMillis(maxWaitMs).toNanos();
        LOG.info("job {}: step {} was cut off in flight by a restart; waiting until the GPU has {} GB free (at most {} s)",
                jobId, step, needed >> 30, maxWaitMs / 1000);
        Long free = null;
        while (System.nanoTime() < deadline) {
            free = vramFree();
            if (free != null && free >= needed) {
                break;
            }
            Thread.sleep(Math.max(1, Math.min(pollMs, (deadline - System.nanoTime()) / 1_000_000)));
        }
        long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
        LOG.info("job {}: step {} goes on after {} ms ({})", jobId, step, waited, free != null && free >= needed
                ? "the GPU has room" : "grace period talkreel.gpu.settle.max-wait-ms over");
        return waited;
    }

    /** The device's free memory in bytes, or null when it cannot be asked. */
    Long vramFree() {
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
}
