package dev.talkreel.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Fault;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable callbacks through real parts: the receiver is down while the jobs end and talkreel restarts once; when it
 * comes back, each job's outcome arrives exactly once, signed. Sized for CI: 4 jobs (one failing), the receiver down
 * until every outcome has failed four attempts (the run: 10 jobs, 30 s down; the same path, shorter).
 */
class CallbacksIT {
    private static final String SECRET = "test-secret-of-callbacks";
    private static final int JOBS = 4;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    /** One POST the receiver got. */
    record Received(String delivery, String signature, String body) {
    }

    @Test
    void eachOutcomeIsDeliveredOnceSignedAfterTheReceiverComesBackAcrossARestart() throws Exception {
        int receiverPort = LocalStack.freePort();
        Map<String, String> settings = new HashMap<>();
        settings.put("talkreel.callback.allowed-hosts", "127.0.0.1:" + receiverPort);
        settings.put("talkreel.callback.secret", SECRET);
        settings.put("talkreel.callback.initial-delay-ms", "500");
        settings.put("talkreel.callback.max-delay-ms", "2000");
        settings.put("talkreel.callback.poll-ms", "100");
        try (LocalStack stack = LocalStack.start(root, settings)) {
            JobClient client = new JobClient(stack.api(), stack.shared());
            // a callback to a host nobody allowed is refused at the door, naming the field
            String refused = client.post(withCallback("Not to there.", "http://127.0.0.1:1/x")).body();
            assertTrue(refused.contains("callback_url") && refused.contains("not among the allowed"), refused);

            stack.emulators().yttools.behaviour().failNext("task", Fault.TASK_FAILED, 1);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                ids.add(client.submit(withCallback("Call me back number " + i + ".",
                        "http://127.0.0.1:" + receiverPort + "/hook?job=" + i)));
            }
            client.waitFor(ids.get(0), j -> !"queued".equals(j.path("status").asText()), Duration.ofMinutes(2));
            stack.restartOrchestrator(() -> { });
            Map<String, String> outcomes = new HashMap<>();
            for (String id : ids) {
                outcomes.put(id, client.waitForEnd(id, Duration.ofMinutes(4)).path("status").asText());
            }
            assertEquals(1, outcomes.values().stream().filter("failed"::equals).count(), outcomes.toString());
            // the receiver stays dead until every outcome has met it four times: pauses of 0.5, 1 and 2 s between
            assertTrue(JobClient.eventually(Duration.ofMinutes(1), Duration.ofMillis(200), () -> {
                for (String id : ids) {
                    if (attempts(client, id, "failed") < 4) {
                        return false;
                    }
                }
                return true;
            }), "fewer than four failed attempts");

            List<Received> received = new CopyOnWriteArrayList<>();
            HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", receiverPort), 0);
            receiver.createContext("/hook", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                received.add(new Received(exchange.getRequestHeaders().getFirst("X-Talkreel-Delivery"),
                        exchange.getRequestHeaders().getFirst("X-Talkreel-Signature"),
                        new String(body, StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            receiver.start();
            try {
                Path pending = stack.shared().resolve("callbacks");
                assertTrue(JobClient.eventually(Duration.ofMinutes(1), Duration.ofMillis(200),
                        () -> count(pending) == 0 && count(pending.resolve("sent")) == JOBS),
                        "still pending: " + count(pending) + ", sent: " + count(pending.resolve("sent")));
            } finally {
                receiver.stop(0);
            }

            assertEquals(JOBS, received.size(), "one POST per outcome: " + received);
            for (Received r : received) {
                assertEquals("sha256=" + hmac(r.body()), r.signature(), "signature of " + r.delivery());
                JsonNode body = JobClient.JSON.readTree(r.body());
                String id = body.path("job_id").asText();
                assertEquals(outcomes.remove(id), body.path("status").asText(), r.body());
                if ("done".equals(body.path("status").asText())) {
                    assertEquals(id, body.path("result").path("job_id").asText(), r.body());
                } else {
                    assertEquals("audio", body.path("step").asText(), r.body());
                    assertEquals("StepFailedException", body.path("error").path("error_class").asText(), r.body());
                }
                assertEquals(1, attempts(client, id, "sent"), "events of " + id);
            }
            assertTrue(outcomes.isEmpty(), "no callback for " + outcomes);
        }
    }

    private static String withCallback(String script, String url) throws Exception {
        ObjectNode job = (ObjectNode) JobClient.JSON.readTree(JobClient.job(
                "https://www.youtube.com/watch?v=ao8f3qyMoLM", script));
        job.put("callback_url", url);
        return job.toString();
    }

    private static long attempts(JobClient client, String id, String result) throws Exception {
        JsonNode events = client.job(id).path("events");
        long n = 0;
        for (JsonNode e : events) {
            if ("callback".equals(e.path("action").asText()) && result.equals(e.path("result").asText())) {
                n++;
            }
        }
        return n;
    }

    private static long count(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }

    private static String hmac(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        StringBuilder hex = new StringBuilder();
        for (byte b : mac.doFinal(body.getBytes(StandardCharsets.UTF_8))) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
