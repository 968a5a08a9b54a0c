package dev.talkreel.gpu;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A GPU service that keeps its model in VRAM after a call, and how it is asked to let go of it (docs/SERVICES.md
 * §1.4, §2.5, §3.2): ComfyUI by {@code POST /free}, VibeVoice by unloading its model; InfiniteTalk's wrapper cannot be
 * asked ({@code release} null).
 *
 * @param service the settings prefix (talkreel.&lt;service&gt;.*), as the steps declare it
 * @param name what messages call it (the step's serviceName)
 * @param release the request that makes it let go, or null when there is none
 * @param body the JSON body of that request, or null for none
 * @param how the request in words, for the job's events and messages
 */
public record VramHolder(String service, String name, URI release, String body, String how) {

    /** What came of asking. */
    public enum Outcome {
        /** It said it let go. */
        RELEASED,
        /** It said it held nothing (VibeVoice: "Model ... is not loaded"). */
        HELD_NOTHING,
        /** It did not answer, or answered with an error: it may still hold its model. */
        FAILED,
        /** It has no way to be asked. */
        CANNOT_ASK
    }

    /** An outcome and, when it failed, why. */
    public record Answer(Outcome outcome, String detail) {
    }

    /** ComfyUI: POST /free {"unload_models":true,"free_memory":true} unloads every model and empties its cache. */
    public static VramHolder comfyui(String name, String url) {
        return new VramHolder("comfyui", name, URI.create(trim(url) + "/free"),
                "{\"unload_models\":true,\"free_memory\":true}", "POST /free");
    }

    /** VibeVoice's wrapper: POST /api/models/{model}/unload (400 when that model is not the one loaded). */
    public static VramHolder vibevoice(String name, String url, String model) {
        String path = "/api/models/" + model.replace(" ", "%20") + "/unload";
        return new VramHolder("vibevoice", name, URI.create(trim(url) + path), null, "POST " + path);
    }

    /** A service with no way to ask it (InfiniteTalk's wrapper keeps its models after every video). */
    public static VramHolder cannotBeAsked(String service, String name) {
        return new VramHolder(service, name, null, null, "no unload endpoint");
    }

    public boolean canBeAsked() {
        return release != null;
    }

    /** Asks it to let go; never throws (a service that is down holds nothing talkreel can free anyway). */
    public Answer ask(HttpClient http) {
        if (release == null) {
            return new Answer(Outcome.CANNOT_ASK, how);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(release).timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2) {
                return new Answer(Outcome.RELEASED, how);
            }
            if (r.statusCode() == 400 && r.body().contains("is not loaded")) {
                return new Answer(Outcome.HELD_NOTHING, how);
            }
            return new Answer(Outcome.FAILED, how + " answered HTTP " + r.statusCode());
        } catch (IOException e) {
            return new Answer(Outcome.FAILED, how + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Outcome.FAILED, how + " interrupted");
        }
    }

    private static String trim(String url) {
        return url.replaceAll("/+$", "");
    }
}
