package dev.talkreel.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * issue 12: while talkreel starts, no request gets 404. From the moment its JVM is launched, POST /api/jobs is fired
 * in a tight loop: refused connections (not listening yet) are counted apart; of the first 200 HTTP answers none may
 * be 404, only 503 (starting, with Retry-After) and then 202.
 */
class StartupNo404IT {
    private static final int ANSWERS = 200;

    @TempDir
    Path root;

    @Test
    void fromProcessStartTheApiAnswers503ThenAcceptsButNever404() throws Exception {
        int port = LocalStack.freePort();
        String nowhere = "http://127.0.0.1:" + LocalStack.freePort();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "-Dtalkreel.http.port=" + port, "-Dtalkreel.shared.dir=" + root.resolve("shared"),
                "-Dtalkreel.infinitetalk.output.dir=" + root.resolve("it-out"),
                // no service answers: the jobs stay in their first step; only the API is looked at
                "-Dtalkreel.yttools.url=" + nowhere, "-Dtalkreel.vibevoice.url=" + nowhere,
                "-Dtalkreel.comfyui.url=" + nowhere, "-Dtalkreel.infinitetalk.url=" + nowhere,
                "dev.talkreel.App", "serve");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest submit = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JobClient.jobWithWords(5))).build();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int refused = 0;
        int answers = 0;
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(90).toNanos();
        Process serve = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("serve.log").toFile()).start();
        try {
            String retryAfter = null;
            // the first 200 answers, and on until one is accepted (a slow machine may answer 503 200 times)
            while ((answers < ANSWERS || !statuses.containsKey(202)) && System.nanoTime() < deadline
                    && serve.isAlive()) {
                try {
                    HttpResponse<String> r = http.send(submit, HttpResponse.BodyHandlers.ofString());
                    answers++;
                    statuses.merge(r.statusCode(), 1, Integer::sum);
                    if (r.statusCode() == 503) {
                        retryAfter = r.headers().firstValue("Retry-After").orElse("none");
                    }
                } catch (IOException notListening) {
                    refused++;
                }
            }
            System.out.printf("start-up: %d connections refused, then %d answers %s (503 Retry-After: %s) in %d ms%n",
                    refused, answers, statuses, retryAfter, (System.nanoTime() - started) / 1_000_000);
            String log = Files.readString(root.resolve("serve.log"));
            assertTrue(answers >= ANSWERS, "at least " + ANSWERS + " answers\n" + log);
            assertEquals(0, statuses.getOrDefault(404, 0), "no 404 while starting: " + statuses);
            assertTrue(statuses.keySet().stream().allMatch(s -> s == 503 || s == 202 || s == 400),
                    "only 503, 202 or 400: " + statuses);
            assertTrue(statuses.containsKey(202), "accepted once started: " + statuses);
            if (retryAfter != null) {
                assertEquals("1", retryAfter, "503 says when to come back");
            }
            // no service answers: talkreel is still ready, degraded, and names each service's URL
            JobClient client = new JobClient("http://127.0.0.1:" + port, root.resolve("shared"));
            String[] ready = {""};
            assertTrue(JobClient.eventually(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
                HttpResponse<String> r = client.get("/observe/health/ready");
                ready[0] = r.body();
                return r.statusCode() == 200;
            }), () -> ready[0]);
            JsonNode services = JobClient.JSON.createObjectNode();
            for (JsonNode check : JobClient.JSON.readTree(client.get("/observe/health/ready?data=true").body())
                    .path("checks")) {
                if ("services".equals(check.path("name").asText())) {
                    services = check;
                }
            }
            System.out.println("ready with every service down: " + services);
            String message = services.path("message").asText();
            String hostPort = URI.create(nowhere).getAuthority();
            assertTrue(message.startsWith("degraded: yttools unreachable at " + hostPort), message);
            assertTrue(message.contains("infinitetalk unreachable at " + hostPort), message);
            assertEquals(nowhere, services.path("data").path("vibevoice.url").asText(), services.toString());
            assertEquals("true", services.path("data").path("degraded").asText(), services.toString());
        } finally {
            serve.destroy();
            serve.waitFor();
        }
    }
}
