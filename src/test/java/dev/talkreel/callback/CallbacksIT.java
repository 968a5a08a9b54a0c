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
 * Durable callbacks through real parts, the run: 10 jobs (one failing); the receiver dies after the first
 * outcome and stays dead for 30 s, and talkreel restarts meanwhile; once it is back, each job's outcome has arrived
 * exactly once, signed.
 */
class CallbacksIT {
    private static final String SECRET = "test-secret-of-callbacks";
    private static final int JOBS = 10;

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

            List<Received> received = new CopyOnWriteArrayList<>();
            HttpServer receiver = receiver(receiverPort, received);
            stack.emulators().yttools.behaviour().failNext("task", Fault.TASK_FAILED, 1);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                ids.add(client.submit(withCallback("Call me back number " + i + ".",
                        "http://127.0.0.1:" + receiverPort + "/hook?job=" + i)));
            }
            // the chaos schedule: the receiver dies once the first outcome has been delivered (answered: killed while
            // it answers, it gets that delivery again, with the same X-Talkreel-Delivery id to drop it by), stays dead
            // for 30 s, and talkreel is restarted meanwhile
            Path sent = stack.shared().resolve("callbacks/sent");
            assertTrue(JobClient.eventually(Duration.ofMinutes(3), Duration.ofMillis(100), () -> count(sent) > 0),
                    "no outcome reached the receiver");
            receiver.stop(0);
            long killed = System.nanoTime();
            stack.restartOrchestrator(() -> { });
            Map<String, String> outcomes = new HashMap<>();
            for (String id : ids) {
                outcomes.put(id, client.waitForEnd(id, Duration.ofMinutes(4)).path("status").asText());
            }
            assertEquals(1, outcomes.values().stream().filter("failed"::equals).count(), outcomes.toString());
            long deadMs = 30_000 - (System.nanoTime() - killed) / 1_000_000;
            if (deadMs > 0) {
                Thread.sleep(deadMs); // the rest of the receiver's 30 s down (the schedule, not a wait for an event)
            }
            long failedAttempts = 0;
            for (String id : ids) {
                failedAttempts += attempts(client, id, "failed");
            }
            assertTrue(failedAttempts > 0, "no attempt met the dead receiver");

            receiver = receiver(receiverPort, received);
            try {
                Path pending = stack.shared().resolve("callbacks");
                assertTrue(JobClient.eventually(Duration.ofMinutes(1), Duration.ofMillis(200),
                        () -> count(pending) == 0 && count(pending.resolve("sent")) == JOBS),
                        "still pending: " + count(pending) + ", sent: " + count(pending.resolve("sent")));
            } finally {
                receiver.stop(0);
            }
            System.out.println("callbacks: " + JOBS + " outcomes, receiver down 30 s, " + failedAttempts
                    + " failed attempts meanwhile, " + received.size() + " delivered");

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

    /** A receiver on 127.0.0.1 that keeps every POST and answers 204. */
    private static HttpServer receiver(int port, List<Received> received) throws Exception {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("X-Talkreel-Delivery"),
                    exchange.getRequestHeaders().getFirst("X-Talkreel-Signature"),
                    new String(body, StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        return receiver;
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
