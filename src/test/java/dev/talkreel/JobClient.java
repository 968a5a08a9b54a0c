package dev.talkreel;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/** Talks to a running talkreel like a user would: over HTTP, and through the inbox folder. */
public final class JobClient {
    public static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String api;
    private final Path shared;

    public JobClient(String api, Path shared) {
        this.api = api;
        this.shared = shared;
    }

    public HttpResponse<String> post(String json) throws IOException, InterruptedException {
        return post(json, null);
    }

    public HttpResponse<String> post(String json, String idempotencyKey) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + "/api/jobs")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An operator action on a job: {@code action("POST", id + "/retry")} or {@code action("DELETE", id)}. */
    public HttpResponse<String> action(String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(api + "/api/jobs/" + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Submits a job over HTTP and returns its id. */
    public String submit(String json) throws Exception {
        HttpResponse<String> r = post(json);
        if (r.statusCode() != 202) {
            throw new AssertionError("expected 202, got " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).path("job_id").asText();
    }

    public JsonNode job(String id) throws Exception {
        return JSON.readTree(get("/api/jobs/" + id).body());
    }

    /**
     * Submits a job to an orchestrator that may still be starting: a refused connection, or a 404 or 503 while its
     * routes start, is asked again, for at most a minute. Returns the job id.
     */
    public String submitWhenUp(String job) throws Exception {
        // 404 or 503 while the routes are still starting, or a refused connection: asked again
        HttpResponse<String> accepted = await("the orchestrator accepts a job").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> post(job), r -> r.statusCode() == 202);
        return JSON.readTree(accepted.body()).path("job_id").asText();
    }

    /** Polls the job until {@code done} holds or the deadline passes. */
    public JsonNode waitFor(String id, Predicate<JsonNode> done, Duration deadline) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            return await("job " + id).atMost(deadline).pollInterval(Duration.ofMillis(100))
                    .until(() -> { last.set(job(id)); return last.get(); }, done::test);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("job " + id + " did not get there within " + deadline + "; last record: "
                    + last.get(), e);
        }
    }

    /** The job's first event of {@code action} (retry, cancel, repair, ...), or a missing node; others come between. */
    public static JsonNode event(JsonNode job, String action) {
        for (JsonNode e : job.path("events")) {
            if (action.equals(e.path("action").asText())) {
                return e;
            }
        }
        return MissingNode.getInstance();
    }

    /** Waits until the job is done, failed or cancelled. */
    public JsonNode waitForEnd(String id, Duration deadline) {
        return waitFor(id, j -> j.path("status").asText().matches("done|failed|cancelled"), deadline);
    }

    /** Drops a job file into the inbox the safe way: written under a dot-name, then renamed in. */
    public Path drop(String name, String content) throws IOException {
        return drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public Path drop(String name, byte[] content) throws IOException {
        Path inbox = shared.resolve("inbox");
        Files.createDirectories(inbox);
        Path tmp = inbox.resolve("." + name + ".tmp");
        Files.write(tmp, content);
        return Files.move(tmp, inbox.resolve(name));
    }

    /** Waits for a file to exist; returns it. */
    public static Path waitForFile(Path file, Duration deadline) {
        await(file + " appears").atMost(deadline).pollInterval(Duration.ofMillis(50)).until(() -> Files.exists(file));
        return file;
    }

    /** The kept copy of {@code name} in {@code folder} (inbox/.done/, inbox/.failed/: stamp-name), waited for. */
    public static Path waitForKept(Path folder, String name, Duration deadline) {
        return await(name + " kept in " + folder).atMost(deadline).pollInterval(Duration.ofMillis(50))
                .until(() -> kept(folder, name), Optional::isPresent).get();
    }

    private static Optional<Path> kept(Path folder, String name) throws IOException {
        if (!Files.isDirectory(folder)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-" + name)).findFirst();
        }
    }

    /** Waits until the API answers (the orchestrator may still be starting, or not listening yet). */
    public void waitUntilUp(Duration deadline) {
        await("the orchestrator's API answers").atMost(deadline).pollInterval(Duration.ofMillis(20))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> get("/api/jobs?limit=1").statusCode() == 200);
    }

    /**
     * Waits until {@code condition} holds or {@code deadline} passes, and says which: for waits followed by
     * assertions that name what was missing better than a timeout would.
     */
    public static boolean eventually(Duration deadline, Duration poll, Callable<Boolean> condition) {
        try {
            await().atMost(deadline).pollInterval(poll).until(condition);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** A job's folder: among the live jobs, or in the archive where finished jobs go. */
    public static Path jobFolder(Path shared, String id) throws IOException {
        Path live = shared.resolve("jobs").resolve(id);
        if (Files.isDirectory(live)) {
            return live;
        }
        try (Stream<Path> days = Files.list(shared.resolve("archive"))) {
            return days.map(d -> d.resolve(id)).filter(Files::isDirectory).findFirst().orElse(live);
        }
    }

    /**
     * The records of every job on a volume, live and archived, read from disk. Files come and go while a walk runs
     * (temporary files renamed, folders archived): a walk that meets one is simply made again.
     */
    public static List<JsonNode> allRecords(Path shared) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return walkRecords(shared);
            } catch (UncheckedIOException movedMeanwhile) {
                if (attempt == 20) {
                    throw movedMeanwhile.getCause();
                }
            }
        }
    }

    private static List<JsonNode> walkRecords(Path shared) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String folder : new String[] {"jobs", "archive"}) {
            Path top = shared.resolve(folder);
            if (!Files.isDirectory(top)) {
                continue;
            }
            try (Stream<Path> records = Files.find(top, 3, (p, a) -> p.getFileName().toString()
                    .equals("job.json") && !p.getParent().getFileName().toString().startsWith("."))) {
                for (Path record : records.toList()) {
                    try {
                        out.add(JSON.readTree(record.toFile()));
                    } catch (IOException beingReplaced) {
                        // a record is replaced by rename: read it at the next look
                    }
                }
            }
        }
        return out;
    }

    public static String job(String url, String script) {
        return "{\"youtube_url\": \"" + url + "\", \"script\": \"" + script + "\"}";
    }

    /** A valid job whose speech lasts words / 2.5 s. */
    public static String jobWithWords(int words) {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < words; i++) {
            script.append(i == 0 ? "" : " ").append("word").append(i);
        }
        return job("https://www.youtube.com/watch?v=ao8f3qyMoLM", script.toString());
    }
}
