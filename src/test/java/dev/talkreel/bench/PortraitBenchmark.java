package dev.talkreel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.comfyui.ComfyUiEmulator;
import dev.talkreel.service.comfyui.ComfyuiEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How soon talkreel notices a finished portrait (issue 9, item 6): for N jobs, the time from the emulator's
 * execution_success (its timestamp in the prompt's history) to the mtime of talkreel's {@code portrait.done.json},
 * median and p90, and the HTTP requests each portrait made to ComfyUI, with the websocket and with the websocket
 * dropped (every reopening refused, so /history polling alone), at the production poll interval (5 s) and a 6 s
 * render (a little longer than one interval, so polling needs two looks; a real Wan render takes about 55 s). Printed side by side from one run by {@code bench/run.sh portrait [n]}; not a test.
 */
public final class PortraitBenchmark {
    private static final Duration RENDER = Duration.ofSeconds(6);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One setting's figures. */
    private record Result(String name, List<Long> lagMs, List<Integer> requests, Map<String, Integer> lastCalls) {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        System.out.printf(Locale.ROOT, "%d portraits per setting, ComfyUI render %d ms, poll interval 5000 ms%n", n,
                RENDER.toMillis());
        Result socket = run("with the websocket", n, false);
        Result dropped = run("websocket dropped (polling)", n, true);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-30s %12s %12s %12s %12s   %s%n", "setting", "median lag", "p90 lag",
                "max lag", "requests", "ComfyUI calls of the last portrait");
        for (Result r : List.of(socket, dropped)) {
            List<Long> lag = new ArrayList<>(r.lagMs());
            Collections.sort(lag);
            List<Integer> req = new ArrayList<>(r.requests());
            Collections.sort(req);
            System.out.printf(Locale.ROOT, "%-30s %9d ms %9d ms %9d ms %12s   %s%n", r.name(), percentile(lag, 50),
                    percentile(lag, 90), lag.get(lag.size() - 1),
                    String.format(Locale.ROOT, "%.1f (%d-%d)", req.stream().mapToInt(i -> i).average().orElse(0),
                            req.get(0), req.get(req.size() - 1)), r.lastCalls());
        }
    }

    private static Result run(String name, int n, boolean drop) throws Exception {
        Path root = Files.createTempDirectory("talkreel-bench-portrait");
        try (LocalStack stack = LocalStack.start(root, Map.of("talkreel.comfyui.poll-interval-ms", "5000"))) {
            JobClient client = new JobClient(stack.api(), stack.shared());
            ComfyUiEmulator comfy = stack.emulators().comfyui;
            ComfyuiEvents events = stack.camel().getRegistry().lookupByNameAndType("comfyuiEvents", ComfyuiEvents.class);
            waitFor(events::connected, "talkreel's websocket to open");
            if (drop) {
                // the open socket is closed at the warm-up's first event, and every reopening is refused (each
                // planned fault is one entry: far more than the back-off's attempts in this run, not billions)
                comfy.behaviour().failNext("ws", Fault.DROP, 10_000);
                comfy.behaviour().failNext("ws-events", Fault.DROP, 1);
            }
            job(client, "warm-up");
            if (drop) {
                waitFor(() -> !events.connected(), "talkreel's websocket to drop");
            }
            comfy.behaviour().latency("execute", RENDER);
            List<Long> lag = new ArrayList<>();
            List<Integer> requests = new ArrayList<>();
            Map<String, Integer> last = Map.of();
            for (int i = 1; i <= n; i++) {
                stack.emulators().all().forEach(e -> e.calls().reset());
                String id = job(client, name + " #" + i);
                // counted before the benchmark's own /history call below
                int made = comfy.calls().total();
                last = new TreeMap<>(comfy.calls().snapshot());
                JsonNode portrait = client.job(id).path("steps").path("portrait");
                long success = successAt(comfy, portrait.path("task_id").asText());
                long doneAt = Files.getLastModifiedTime(JobClient.jobFolder(stack.shared(), id)
                        .resolve("portrait.done.json")).toMillis();
                lag.add(doneAt - success);
                requests.add(made);
                System.out.printf(Locale.ROOT, "  %-36s lag %5d ms, %d requests%n", name + " #" + i, doneAt - success,
                        made);
            }
            return new Result(name, lag, requests, last);
        } finally {
            try (var files = Files.walk(root)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs one job to its end; the portrait step is the one measured. */
    private static String job(JobClient client, String label) throws Exception {
        String id = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM",
                "A short benchmark sentence, said by a cloned voice."));
        JsonNode end = client.waitForEnd(id, Duration.ofMinutes(5));
        if (!"done".equals(end.path("status").asText())) {
            throw new IllegalStateException(label + ": job " + id + " " + end.path("status").asText() + ": " + end);
        }
        return id;
    }

    /** The emulator's execution_success time for the prompt, in epoch milliseconds (from its history entry). */
    private static long successAt(ComfyUiEmulator comfy, String promptId) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(comfy.baseUrl() + "/history/" + promptId))
                .build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode m : JobClient.JSON.readTree(r.body()).path(promptId).path("status").path("messages")) {
            if (m.path(0).asText().equals("execution_success")) {
                return m.path(1).path("timestamp").asLong();
            }
        }
        throw new IllegalStateException("no execution_success for " + promptId + ": " + r.body());
    }

    private static long percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private interface Condition {
        boolean holds();
    }

    /** Waits up to 20 s for a condition, checking every 20 ms. */
    private static void waitFor(Condition condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
