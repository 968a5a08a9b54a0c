package dev.talkreel.api;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A Server-Sent Events client for tests: reads a stream on a thread of its own and keeps each event with its time. */
final class SseClient implements AutoCloseable {
    /** One event as received: its name, its JSON, and when it arrived (epoch ms). */
    record Received(String type, JsonNode data, long atMillis) {
    }

    final HttpResponse<InputStream> response;
    final List<Received> events = new CopyOnWriteArrayList<>();
    /** Comment lines (heartbeats) received. */
    final List<Long> comments = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean ended;

    SseClient(String url) throws IOException, InterruptedException {
        response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        reader = new Thread(this::read, "sse-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String type = "message";
            StringBuilder data = new StringBuilder();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Received(type, JobClient.JSON.readTree(data.toString()), System.currentTimeMillis()));
                    }
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments.add(System.currentTimeMillis());
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // the stream was closed: by the server, or by close()
        } finally {
            ended = true;
        }
    }

    boolean ended() {
        return ended;
    }

    /** Waits for an event that matches, and returns it. */
    Received waitFor(String what, Predicate<Received> match, Duration deadline) {
        return await(what).atMost(deadline).pollInterval(Duration.ofMillis(20))
                .until(() -> events.stream().filter(match).findFirst().orElse(null), e -> e != null);
    }

    static Predicate<Received> of(String type, String field, String value) {
        return e -> e.type().equals(type) && value.equals(e.data().path(field).asText());
    }

    @Override
    public void close() throws IOException {
        response.body().close();
        await("the stream's reader stops").atMost(Duration.ofSeconds(5)).until(this::ended);
    }
}
