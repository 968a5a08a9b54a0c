package dev.talkreel.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.emulator.Fault;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * issue 12: health and Prometheus metrics on the API port. Ten jobs go through the emulators, one of them failing
 * at yttools (HTTP 500 on each of its 4 tries); the scrape then shows the jobs by status, one step duration per step
 * run, the retries by step and error class, and the GPU waits.
 */
class ObserveIT {
    private static final Duration DEADLINE = Duration.ofSeconds(180);
    /** The jobs that end done, beside the one that fails: ten in all, as the issue asks. */
    private static final int DONE = 9;
    private static final Map<String, String> SERVICES = Map.of("audio", "yttools", "voice", "vibevoice", "portrait",
            "comfyui", "video", "infinitetalk");
    private static final List<String> GPU_STEPS = List.of("voice", "portrait", "video");

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());

    @Test
    void healthIsLiveAndReadyOnTheApiPort() throws Exception {
        JobClient client = talkreel.client();
        assertEquals(200, client.get("/observe/health/live").statusCode());
        String[] ready = {""};
        // ready once every file consumer has polled (Camel's consumer checks); the services' probe is kept a few
        // seconds, so a probe of a slow first moment is followed by a fresh one
        assertTrue(JobClient.eventually(Duration.ofSeconds(30), Duration.ofMillis(500), () -> {
            HttpResponse<String> r = client.get("/observe/health/ready");
            ready[0] = r.body();
            return r.statusCode() == 200 && check(JobClient.JSON.readTree(r.body()).path("checks"), "services")
                    .path("message").asText().startsWith("every service answers");
        }), () -> ready[0]);
        JsonNode checks = JobClient.JSON.readTree(ready[0]).path("checks");
        assertEquals("UP", check(checks, "shared-volume").path("status").asText(), checks.toString());
        assertEquals("UP", check(checks, "services").path("status").asText(), checks.toString());
    }

    @Test
    void metricsCountJobsStepsRetriesAndGpuWaits() throws Exception {
        JobClient client = talkreel.client();
        talkreel.emulators().yttools.behaviour().failNext("download", Fault.ERROR_500, 4);
        String failing = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "This one fails."));
        assertEquals("failed", client.waitForEnd(failing, DEADLINE).path("status").asText());
        List<String> ok = new ArrayList<>();
        for (int i = 0; i < DONE; i++) {
            ok.add(client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "Metrics job " + i)));
        }
        for (String id : ok) {
            assertEquals("done", client.waitForEnd(id, DEADLINE).path("status").asText());
        }

        HttpResponse<String> scrape = client.get("/observe/metrics");
        assertEquals(200, scrape.statusCode());
        String text = scrape.body();
        System.out.println("metrics after " + (DONE + 1) + " jobs (1 failing):\n" + text.lines().filter(l -> l.startsWith("talkreel_")
                && !l.contains("_bucket")).reduce((a, b) -> a + "\n" + b).orElse(""));
        assertEquals(DONE, value(text, "talkreel_jobs{status=\"done\"}"), 0);
        assertEquals(1, value(text, "talkreel_jobs{status=\"failed\"}"), 0);
        assertEquals(0, value(text, "talkreel_jobs{status=\"running\"}"), 0);
        assertEquals(0, value(text, "talkreel_jobs{status=\"queued\"}"), 0);
        assertEquals(1, value(text, "talkreel_step_duration_seconds_count{outcome=\"failed\",service=\"yttools\",step=\"audio\"}"), 0);
        // the portrait does not wait for the audio: the failing job's may have been rendered too. The records say
        // which steps ran to done, and which GPU steps took a slot
        Map<String, Integer> done = new TreeMap<>();
        int gpuSlots = 0;
        List<String> all = new ArrayList<>(ok);
        all.add(failing);
        for (String id : all) {
            for (Map.Entry<String, JsonNode> step : client.job(id).path("steps").properties()) {
                if ("done".equals(step.getValue().path("state").asText())) {
                    done.merge(step.getKey(), 1, Integer::sum);
                }
                if (GPU_STEPS.contains(step.getKey()) && step.getValue().path("attempt").asInt() > 0) {
                    gpuSlots++;
                }
            }
        }
        assertEquals(DONE, done.get("audio"));
        SERVICES.forEach((step, service) -> assertEquals(done.getOrDefault(step, 0), value(text,
                "talkreel_step_duration_seconds_count{outcome=\"done\",service=\"" + service + "\",step=\"" + step
                        + "\"}"), 0, step));
        // the histogram's +Inf bucket holds every step of its series
        assertEquals(DONE, value(text, "talkreel_step_duration_seconds_bucket{outcome=\"done\",service=\"infinitetalk\",step=\"video\",le=\"+Inf\"}"), 0);
        // 4 tries: 3 retries of the HTTP 500
        assertEquals(3, value(text, "talkreel_step_retries_total{error_class=\"HttpOperationFailedException\",step=\"audio\"}"), 0);
        // each GPU step that started took a slot once
        assertEquals(gpuSlots, value(text, "talkreel_gpu_wait_seconds_count"), 0);
        assertEquals(0, value(text, "talkreel_gpu_queue"), 0);
        assertEquals(0, value(text, "talkreel_callbacks_sent_total"), 0);
        assertEquals(0, value(text, "talkreel_callbacks_failed_total"), 0);
    }

    private static JsonNode check(JsonNode checks, String name) {
        for (JsonNode c : checks) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + checks);
    }

    /** The value of one sample of the Prometheus text, by its name and labels as written. */
    private static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no sample " + sample + " in the scrape");
        }
        return Double.parseDouble(m.group(1));
    }
}
