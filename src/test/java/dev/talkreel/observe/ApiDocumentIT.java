package dev.talkreel.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * issue 12: GET /api/openapi.json describes the real API. Real answers of submit (202, 400), status (200, 404), list
 * (200), retry (202, 409) and cancel (200, 409) are each looked up in the document by path, method and status, and
 * their bodies validated against the documented schema.
 */
class ApiDocumentIT {
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());

    private final List<String> checked = new ArrayList<>();

    @Test
    void everyRealAnswerIsDocumentedWithItsSchema() throws Exception {
        JobClient client = talkreel.client();
        HttpResponse<String> docAnswer = client.get("/api/openapi.json");
        assertEquals(200, docAnswer.statusCode(), docAnswer.body());
        JsonNode doc = JobClient.JSON.readTree(docAnswer.body());
        assertTrue(doc.path("openapi").asText().startsWith("3."), "OpenAPI 3: " + doc.path("openapi"));

        HttpResponse<String> accepted = client.post(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM",
                "Documented and done."));
        conforms(doc, "/api/jobs", "post", accepted, 202);
        String done = JobClient.JSON.readTree(accepted.body()).path("job_id").asText();
        conforms(doc, "/api/jobs", "post", client.post("{\"youtube_url\": \"https://example.com/\", \"script\": \"\"}"),
                400);
        conforms(doc, "/api/jobs", "get", client.get("/api/jobs"), 200);
        conforms(doc, "/api/jobs/{id}", "get", client.get("/api/jobs/20990101-000000-abcdef"), 404);
        assertEquals("done", client.waitForEnd(done, DEADLINE).path("status").asText());
        conforms(doc, "/api/jobs/{id}", "get", client.get("/api/jobs/" + done), 200);
        conforms(doc, "/api/jobs/{id}/retry", "post", client.action("POST", done + "/retry"), 409);
        conforms(doc, "/api/jobs/{id}", "delete", client.action("DELETE", done), 409);

        String cancelled = client.submit(JobClient.job("https://youtu.be/ao8f3qyMoLM", "Cancelled, then retried."));
        conforms(doc, "/api/jobs/{id}", "delete", client.action("DELETE", cancelled), 200);
        // a retry while the cancelled job's step still winds down is refused (409); once it has, it is taken (202)
        List<HttpResponse<String>> retried = new ArrayList<>();
        JobClient.eventually(DEADLINE, Duration.ofMillis(200), () -> {
            retried.add(client.action("POST", cancelled + "/retry"));
            return retried.get(retried.size() - 1).statusCode() != 409;
        });
        conforms(doc, "/api/jobs/{id}/retry", "post", retried.get(retried.size() - 1), 202);
        System.out.println("OpenAPI document checked against " + checked.size() + " real answers: " + checked);
    }

    /** The answer has the expected status, the document lists it for the operation, and the body fits its schema. */
    private void conforms(JsonNode doc, String path, String method, HttpResponse<String> answer, int status)
            throws Exception {
        assertEquals(status, answer.statusCode(), method + " " + path + ": " + answer.body());
        JsonNode operation = doc.path("paths").path(path).path(method);
        assertTrue(operation.isObject(), "documented: " + method + " " + path);
        JsonNode response = operation.path("responses").path(String.valueOf(status));
        assertTrue(response.isObject(), method + " " + path + " documents " + status + ": " + operation.path("responses"));
        JsonNode schema = response.path("content").path("application/json").path("schema");
        assertTrue(schema.isObject(), method + " " + path + " " + status + " has a JSON schema: " + response);
        // the documented schema, with the document's components beside it so that its $refs resolve
        ObjectNode root = schema.deepCopy();
        root.set("components", doc.path("components"));
        Set<ValidationMessage> wrong = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(root, SchemaValidatorsConfig.builder().nullableKeywordEnabled(true).build())
                .validate(JobClient.JSON.readTree(answer.body()));
        assertTrue(wrong.isEmpty(), method + " " + path + " " + status + ": " + wrong + "\n" + answer.body()
                + "\nschema " + schema);
        checked.add(method.toUpperCase() + " " + path + " " + status);
    }
}
