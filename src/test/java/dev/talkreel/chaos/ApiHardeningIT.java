package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API's answers under hostile requests (issue 7): the token counts only in the real Authorization header (not
 * in the query, which platform-http turns into headers too), with the scheme in any case; the idempotency key is
 * never echoed; the same key with another body is a 422 that names the conflict; a bad ?limit is a 400.
 */
class ApiHardeningIT {
    private static final String TOKEN = "s3cret-token-for-tests";
    private static final String KEY = "client-key-0c5e41-do-not-echo";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of("talkreel.http.token", TOKEN));

    @Test
    void theTokenCountsOnlyInTheAuthorizationHeaderWithTheSchemeInAnyCase() throws Exception {
        assertEquals(401, get("/api/jobs", null).statusCode(), "no token");
        assertEquals(401, get("/api/jobs?Authorization=Bearer%20" + TOKEN, null).statusCode(), "token in the query");
        assertEquals(401, get("/api/jobs?authorization=Bearer+" + TOKEN, null).statusCode(), "token in the query");
        assertEquals(401, get("/api/jobs?Authorization=Bearer%20" + TOKEN, "Bearer wrong").statusCode(),
                "right token in the query, wrong one in the header");
        assertEquals(401, get("/api/jobs", "Bearer wrong").statusCode(), "wrong token");
        assertEquals(401, get("/api/jobs", "Basic " + TOKEN).statusCode(), "another scheme");
        for (String scheme : new String[] {"Bearer", "bearer", "BEARER", "bEaReR"}) {
            assertEquals(200, get("/api/jobs", scheme + " " + TOKEN).statusCode(), scheme);
        }
    }

    @Test
    void healthMetricsAndTheApiDocumentTakeTheSameToken() throws Exception {
        // served outside the REST routes (management server, Camel's api-doc route): RequestGate checks the token
        for (String path : new String[] {"/observe/health/live", "/observe/metrics", "/api/openapi.json"}) {
            assertEquals(401, get(path, null).statusCode(), path + " without a token");
            assertEquals(401, get("/" + path, null).statusCode(), "/" + path + " without a token");
            assertEquals(401, get(path, "Bearer wrong").statusCode(), path + " with a wrong token");
            assertEquals(200, get(path, "Bearer " + TOKEN).statusCode(), path);
        }
    }

    @Test
    void theIdempotencyKeyIsNeverEchoedAndAnotherBodyUnderTheSameKeyIs422() throws Exception {
        String first = JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "Hello from the first body.");
        String second = JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "Another script, same key.");

        HttpResponse<String> created = post(first, KEY);
        assertEquals(202, created.statusCode(), created.body());
        String id = JobClient.JSON.readTree(created.body()).path("job_id").asText();
        assertNotEchoed(created);

        HttpResponse<String> again = post(first, KEY);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(id, JobClient.JSON.readTree(again.body()).path("job_id").asText(), "same key, same body: same job");
        assertNotEchoed(again);

        HttpResponse<String> conflict = post(second, KEY);
        assertEquals(422, conflict.statusCode(), conflict.body());
        JsonNode answer = JobClient.JSON.readTree(conflict.body());
        assertEquals("idempotency key conflict", answer.path("error").asText(), conflict.body());
        assertEquals(id, answer.path("job_id").asText(), conflict.body());
        assertTrue(answer.path("message").asText().contains("different request"), conflict.body());
        assertNotEchoed(conflict);
        System.out.println("same Idempotency-Key, another body: " + conflict.statusCode() + " " + conflict.body());

        HttpResponse<String> status = get("/api/jobs/" + id, "Bearer " + TOKEN);
        assertEquals(200, status.statusCode(), status.body());
        assertFalse(status.body().contains("idempotency_key"), status.body());
        assertNotEchoed(status);
        HttpResponse<String> cancel = send(HttpRequest.newBuilder(URI.create(talkreel.stack().api() + "/api/jobs/" + id))
                .header("Authorization", "Bearer " + TOKEN).DELETE());
        assertNotEchoed(cancel);
    }

    @Test
    void aBadLimitIsA400ThatSaysWhy() throws Exception {
        for (String bad : new String[] {"abc", "0", "-5", "1.5", "", "%20"}) {
            HttpResponse<String> r = get("/api/jobs?limit=" + bad, "Bearer " + TOKEN);
            if (bad.isEmpty() || "%20".equals(bad)) {
                assertEquals(200, r.statusCode(), "limit='" + bad + "' means the default: " + r.body());
                continue;
            }
            assertEquals(400, r.statusCode(), "limit=" + bad + ": " + r.body());
            JsonNode error = JobClient.JSON.readTree(r.body()).path("errors").path(0);
            assertEquals("limit", error.path("field").asText(), r.body());
            assertTrue(error.path("message").asText().contains("1 to 200"), r.body());
        }
        assertEquals(200, get("/api/jobs?limit=5", "Bearer " + TOKEN).statusCode());
        assertEquals(200, get("/api/jobs?limit=100000000000", "Bearer " + TOKEN).statusCode(), "clamped to 200");
    }

    private static void assertNotEchoed(HttpResponse<String> r) {
        assertFalse(r.body().contains(KEY), "key in the body: " + r.body());
        r.headers().map().forEach((name, values) -> {
            assertFalse(name.equalsIgnoreCase("Idempotency-Key"), "Idempotency-Key header in the answer");
            values.forEach(v -> assertFalse(v.contains(KEY), "key in header " + name));
        });
    }

    private static HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(talkreel.stack().api() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.GET());
    }

    private static HttpResponse<String> post(String json, String key) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(talkreel.stack().api() + "/api/jobs"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
