package dev.talkreel.routes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.TalkreelConfiguration;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real configuration and the real YAML routes of routes/, booted once by camel-main on a shared volume of their
 * own, with every HTTP call to a service answered by a recorded reply ({@link RecordedServices}) instead of the
 * network: the whole pipeline in a few seconds, and its failure paths on demand. Endpoints are picked by pattern
 * ({@code http*}), never by route id, so routes can be renamed and split freely.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        configurationClasses = TalkreelConfiguration.class, mockEndpointsAndSkip = "http*")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineRoutesTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final RouteTestVolume VOLUME = RouteTestVolume.create();
    private final RecordedServices services = new RecordedServices(MediaFixtures.in(VOLUME.root().resolve("fixtures")),
            VOLUME.infinitetalkOutput());
    private final JobClient client = new JobClient(VOLUME.api(), VOLUME.shared());

    @BeanInject
    CamelContext context;

    @BeforeEach
    void answerServiceCallsWithRecordedReplies() {
        services.reset();
        for (Endpoint endpoint : context.getEndpoints()) {
            if (endpoint instanceof MockEndpoint mock && mock.getEndpointUri().startsWith("mock://http")) {
                mock.reset();
                mock.whenAnyExchangeReceived(services);
            }
        }
    }

    @AfterAll
    void removeTheVolume() {
        VOLUME.close();
    }

    @Test
    void aJobDroppedIntoTheInboxEndsDoneWithItsResultMessage() throws Exception {
        NotifyBuilder taken = new NotifyBuilder(context).from("file:.*inbox.*").whenCompleted(1).create();
        client.drop("inbox-job.json", JobClient.job("https://youtu.be/ao8f3qyMoLM", "Hello from the inbox."));

        assertTrue(taken.matches(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the inbox took the file");
        String id = onlyJobFrom("inbox-job.json");
        JsonNode job = client.waitForEnd(id, DEADLINE);
        assertEquals("done", job.path("status").asText(), job.toString());
        for (String step : new String[] {"audio", "voice", "portrait", "video"}) {
            assertEquals("done", job.path("steps").path(step).path("state").asText(), step + ": " + job);
        }
        assertEquals("outbox/" + id + ".json", job.path("result").path("result").asText(), job.toString());
        JsonNode message = JobClient.JSON.readTree(VOLUME.shared().resolve("outbox/" + id + ".json").toFile());
        assertEquals(id, message.path("job_id").asText(), message.toString());
        assertEquals("done", message.path("status").asText(), message.toString());
        assertEquals("vibevoice-api", message.path("steps").path("voice").path("service").asText(), message.toString());
        assertTrue(Files.size(VOLUME.shared().resolve(message.path("video").path("path").asText())) > 0, "the video");
        JobClient.waitForKept(VOLUME.shared().resolve("inbox/.done"), "inbox-job.json", Duration.ofSeconds(1));
        assertEquals(1, calls("api/generate-video"), "one InfiniteTalk render");
    }

    @Test
    void aServiceErrorIsRetriedThenRecordedAsTheStepsFailureAndRetryResumesThere() throws Exception {
        services.fail("POST /api/tts", 503);
        String id = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "A voice that fails."));

        JsonNode failed = client.waitForEnd(id, DEADLINE);
        assertEquals(3, calls("api/tts"), "three tries of the TTS call (talkreel.vibevoice.retry.attempts)");
        assertEquals("failed", failed.path("status").asText(), failed.toString());
        JsonNode voice = failed.path("steps").path("voice");
        assertEquals("failed", voice.path("state").asText(), voice.toString());
        assertEquals("HttpOperationFailedException", voice.path("error").path("error_class").asText(),
                voice.toString());
        assertEquals(1, voice.path("error").path("attempt").asInt(), voice.toString());
        assertEquals(3, voice.path("details").path("tries").asInt(), "talkreel.vibevoice.retry.attempts: " + voice);
        assertTrue(voice.path("error").path("message").asText().contains("503"), voice.toString());
        assertEquals("done", failed.path("steps").path("audio").path("state").asText(), failed.toString());

        services.fail("POST /api/tts", 0);
        long cuts = calls("api/download");
        assertEquals(202, client.action("POST", id + "/retry").statusCode());
        JsonNode done = client.waitForEnd(id, DEADLINE);
        assertEquals("done", done.path("status").asText(), done.toString());
        assertEquals(2, done.path("steps").path("voice").path("attempt").asInt(), done.toString());
        assertEquals(1, done.path("steps").path("audio").path("attempt").asInt(), "the audio step is not redone");
        assertEquals(cuts, calls("api/download"), "yttools was not asked again");
    }

    @Test
    void aCancelledJobStopsPollingAndStaysCancelled() throws Exception {
        services.keepYttoolsBusy(true);
        String id = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "Cancel me."));
        client.waitFor(id, j -> "running".equals(j.path("steps").path("audio").path("state").asText()), DEADLINE);

        assertEquals(200, client.action("DELETE", id).statusCode());
        JsonNode cancelled = client.waitFor(id, j -> "cancelled".equals(j.path("steps").path("audio").path("state")
                .asText()), DEADLINE);
        assertEquals("cancelled", cancelled.path("status").asText(), cancelled.toString());
        long polls = calls("api/status");
        await("no yttools poll after the cancel").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> calls("api/status") == polls);
        assertEquals("pending", cancelled.path("steps").path("voice").path("state").asText(), cancelled.toString());
    }

    /** How many calls the services got whose endpoint or path contains {@code part}, since this test began. */
    private long calls(String part) {
        return context.getEndpoints().stream().filter(e -> e instanceof MockEndpoint && e.getEndpointUri()
                .startsWith("mock://http")).map(MockEndpoint.class::cast).flatMap(m -> m.getReceivedExchanges()
                .stream()).filter(e -> RecordedServices.call(e).contains(part)).count();
    }

    /** The job made from an inbox file, found by its source. */
    private String onlyJobFrom(String fileName) {
        return await("a job from " + fileName).atMost(DEADLINE).until(() -> {
            for (JsonNode row : JobClient.JSON.readTree(client.get("/api/jobs?limit=200").body()).path("jobs")) {
                String id = row.path("job_id").asText();
                if (client.job(id).path("source").asText().contains(fileName)) {
                    return id;
                }
            }
            return null;
        }, found -> found != null);
    }
}
