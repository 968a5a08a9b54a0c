package dev.talkreel.routes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The four services as recorded replies (docs/SERVICES.md), answered in place of the HTTP calls that
 * {@code mockEndpointsAndSkip = "http*"} intercepts. Each call is told apart by the endpoint it was meant for and the
 * path it set ({@code CamelHttpPath}); the reply is a stream with a status code, as camel-http leaves it. A test can
 * make a call answer an error status, or keep a yttools task "processing", to drive the failure paths.
 */
final class RecordedServices implements Processor {
    private final MediaFixtures media;
    private final Path infinitetalkOutput;
    /** Per call ("POST /api/tts"), the error status it answers instead of its reply. */
    private final Map<String, Integer> failing = new ConcurrentHashMap<>();
    private volatile boolean yttoolsBusy;

    RecordedServices(MediaFixtures media, Path infinitetalkOutput) {
        this.media = media;
        this.infinitetalkOutput = infinitetalkOutput;
    }

    /** Makes every later {@code call} ("POST /api/tts") answer {@code status}; 0 gives its recorded reply again. */
    void fail(String call, int status) {
        if (status == 0) {
            failing.remove(call);
        } else {
            failing.put(call, status);
        }
    }

    /** While true, yttools reports every task as still processing. */
    void keepYttoolsBusy(boolean busy) {
        yttoolsBusy = busy;
    }

    void reset() {
        failing.clear();
        yttoolsBusy = false;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String call = call(exchange);
        Integer status = failing.get(call);
        if (status != null) {
            answer(exchange, status, json("{\"detail\": \"service unavailable (recorded failure)\"}"));
            return;
        }
        answer(exchange, 200, reply(call));
    }

    /** The method and path of the call, as the service-call template set them (CamelHttpMethod, CamelHttpPath). */
    static String call(Exchange exchange) {
        return exchange.getIn().getHeader(Exchange.HTTP_METHOD, "GET", String.class) + " "
                + exchange.getIn().getHeader(Exchange.HTTP_PATH, String.class);
    }

    private InputStream reply(String call) throws IOException {
        if (call.equals("POST /api/download")) {
            return json("{\"task_id\": \"" + UUID.randomUUID() + "\", \"status\": \"pending\"}");
        }
        if (call.startsWith("GET /api/status/")) {
            return json(yttoolsBusy ? "{\"status\": \"processing\", \"progress\": 40, \"error\": null}"
                    : "{\"status\": \"completed\", \"progress\": 100, \"error\": null}");
        }
        if (call.startsWith("GET /api/download/")) {
            return Files.newInputStream(media.reference);
        }
        if (call.equals("POST /api/tts")) {
            return json("{\"audio_base64\": \"" + Base64.getEncoder().encodeToString(Files.readAllBytes(media.speech))
                    + "\", \"sample_rate\": 24000, \"duration_seconds\": 3.0, \"format\": \"wav\"}");
        }
        if (call.equals("POST /prompt")) {
            return json("{\"prompt_id\": \"" + UUID.randomUUID() + "\", \"number\": 0, \"node_errors\": {}}");
        }
        if (call.startsWith("GET /history/")) {
            String id = call.substring("GET /history/".length());
            return json("{\"" + id + "\": {\"outputs\": {\"49\": {\"images\": [{\"filename\": \"portrait_00001_.png\", "
                    + "\"subfolder\": \"wan-portraits\", \"type\": \"output\"}]}}, \"status\": {\"status_str\": "
                    + "\"success\", \"completed\": true, \"messages\": []}}}");
        }
        if (call.startsWith("GET /queue")) {
            return json("{\"queue_running\": [], \"queue_pending\": []}");
        }
        if (call.startsWith("GET /view")) {
            return Files.newInputStream(media.portrait);
        }
        if (call.startsWith("POST /queue") || call.startsWith("POST /interrupt")) {
            return json("");
        }
        if (call.equals("POST /api/generate-video")) {
            // InfiniteTalk writes under its own /output, which talkreel.infinitetalk.path-map maps to a local folder
            String name = "infinitetalk_" + UUID.randomUUID() + ".mp4";
            Files.createDirectories(infinitetalkOutput);
            Files.copy(media.video, infinitetalkOutput.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            return json("{\"video_path\": \"/output/" + name + "\", \"duration_seconds\": 8.0, \"resolution\": "
                    + "\"128x72\", \"frame_count\": 200, \"metadata\": {\"seed\": 42}}");
        }
        throw new IllegalStateException("no recorded reply for " + call);
    }

    private static void answer(Exchange exchange, int status, InputStream body) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(body);
    }

    private static InputStream json(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
