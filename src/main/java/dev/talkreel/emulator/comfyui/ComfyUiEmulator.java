package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Call;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Json;
import dev.talkreel.emulator.Reply;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays ComfyUI v0.3.67 (server.py, execution.py, main.py; see docs/SERVICES.md section 1): {@code POST /prompt}
 * validates and queues a workflow, one worker runs the queue in order on the emulated GPU and really draws the
 * SaveImage PNGs at the latent's size, {@code /history} shows an entry only once a prompt has finished, {@code /view}
 * serves the images with ComfyUI's guards, and {@code /ws} streams the execution events. Every route also answers
 * under {@code /api}. Operations for latency and faults: prompt, execute, history, view, queue, ws (the handshake),
 * ws-events (drop: the open sockets are closed in place of the next event), misc.
 */
public final class ComfyUiEmulator extends EmulatorServer {
    private static final Logger LOG = LoggerFactory.getLogger(ComfyUiEmulator.class);
    /** aiohttp's answer to an unhandled exception in a handler (a non-JSON body, a prompt that is a list). */
    private static final String TROUBLE = "500 Internal Server Error\n\nServer got itself in trouble";

    private final NodeCatalog catalog = new NodeCatalog();
    private final WorkflowValidator validator = new WorkflowValidator(catalog);
    private final WorkflowValidator withoutModels = new WorkflowValidator(NodeCatalog.withoutModels());
    private final History history = new History();
    private final WebSocketHub hub = new WebSocketHub(behaviour);
    private final PromptQueue queue = new PromptQueue(this::queueChanged);
    private final ImageSaver output;
    private final Path inputDir;
    private final Path tempDir;
    private final PromptRunner runner;
    private final AtomicLong number = new AtomicLong();
    private final AtomicLong seq = new AtomicLong();
    private Thread worker;

    /** {@code outputDir} is ComfyUI's output folder; its siblings {@code <name>-input}/{@code -temp} are the others. */
    public ComfyUiEmulator(GpuMeter gpu, Path outputDir) {
        super("comfyui", gpu);
        // Wan 2.2 14B fp8 with its text encoder: about 20 GB (emulator.comfyui.model-vram-gb)
        model(20, 20, Duration.ZERO);
        Path out = outputDir.toAbsolutePath().normalize();
        output = new ImageSaver(out, "output");
        inputDir = out.resolveSibling(out.getFileName() + "-input");
        tempDir = out.resolveSibling(out.getFileName() + "-temp");
        runner = new PromptRunner(catalog, queue, history, hub, behaviour, output, new ImageSaver(tempDir, "temp"));
    }

    /**
     * Replaces the model files ComfyUI "has" in one models folder ({@code diffusion_models}, {@code text_encoders},
     * {@code vae}, {@code checkpoints}); loader inputs naming another file fail validation with value_not_in_list.
     */
    public void setModels(String folder, List<String> fileNames) {
        catalog.setModels(folder, fileNames);
    }

    @Override
    public ComfyUiEmulator start(String host, int port) {
        super.start(host, port);
        worker = new Thread(this::work, "comfyui-prompt-worker");
        worker.setDaemon(true);
        worker.start();
        return this;
    }

    @Override
    protected void routes() {
        router().route().handler(this::originOnly);
        for (String prefix : new String[] {"", "/api"}) {
            router().route(prefix + "/ws").handler(this::webSocket);
            on(HttpMethod.POST, prefix + "/prompt", "prompt", timed("prompt", this::postPrompt));
            on(HttpMethod.GET, prefix + "/prompt", "queue", timed("queue", c -> Reply.json(execInfo())));
            on(HttpMethod.GET, prefix + "/queue", "queue", timed("queue", c -> Reply.json(queue.toJson())));
            on(HttpMethod.POST, prefix + "/queue", "queue", timed("queue", this::postQueue));
            on(HttpMethod.GET, prefix + "/history", "history", timed("history", this::getHistory));
            on(HttpMethod.GET, prefix + "/history/:prompt_id", "history",
                    timed("history", c -> Reply.json(history.get(c.pathParam("prompt_id")))));
            on(HttpMethod.POST, prefix + "/history", "history", timed("history", this::postHistory));
            on(HttpMethod.GET, prefix + "/view", "view", timed("view", this::view));
            on(HttpMethod.POST, prefix + "/interrupt", "misc", timed("misc", this::interrupt));
            on(HttpMethod.POST, prefix + "/free", "misc", timed("misc", this::free));
            on(HttpMethod.GET, prefix + "/system_stats", "misc", timed("misc", c -> Reply.json(systemStats())));
        }
    }

    @Override
    protected Reply errorReply(int status, String message) {
        return Reply.text(status, "text/plain; charset=utf-8", TROUBLE);
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.interrupt();
        }
        hub.closeAll();
        super.close();
    }

    /** Applies the operation's latency before the handler, as a slow server would. */
    private Handler timed(String operation, Handler handler) {
        return call -> {
            pause(behaviour.latency(operation));
            return handler.handle(call);
        };
    }

    // ---- POST /prompt ------------------------------------------------------------------------------------------

    private Reply postPrompt(Call call) {
        JsonNode body = parse(call);
        if (body == null || !(body.isObject() || body.isArray())) {
            return trouble();
        }
        // the counter moves before validation, so failed posts use up numbers too (observed on a real server)
        Number num;
        if (body.has("number")) {
            if (!body.get("number").isNumber()) {
                return trouble();
            }
            num = body.get("number").asDouble();
        } else {
            long n = number.getAndIncrement();
            num = body.path("front").asBoolean(false) ? -n : n;
        }
        if (!body.isObject() || !body.has("prompt")) {
            ObjectNode error = Json.object().put("type", "no_prompt").put("message", "No prompt provided")
                    .put("details", "No prompt provided");
            error.putObject("extra_info");
            return badRequest(error, Json.object());
        }
        JsonNode prompt = body.get("prompt");
        if (!prompt.isObject()) {
            return trouble();
        }
        String promptId = body.hasNonNull("prompt_id")
                ? (body.get("prompt_id").isTextual() ? body.get("prompt_id").asText() : body.get("prompt_id").toString())
                : UUID.randomUUID().toString();
        Fault fault = call.fault();
        if (fault == Fault.NODE_ERRORS || fault == Fault.OUTPUT_NODE_ERRORS) {
            prompt = BrokenOutputs.reshape((ObjectNode) prompt, fault == Fault.OUTPUT_NODE_ERRORS);
        }
        WorkflowValidator.Result result;
        try {
            result = (fault == Fault.MISSING_MODEL ? withoutModels : validator).validate((ObjectNode) prompt);
        } catch (IllegalArgumentException e) {
            return trouble();
        }
        if (!result.ok()) {
            return badRequest(result.error(), result.nodeErrors());
        }
        ObjectNode extraData = body.path("extra_data").isObject() ? ((ObjectNode) body.get("extra_data")).deepCopy()
                : Json.object();
        if (body.has("client_id")) {
            extraData.set("client_id", body.get("client_id"));
        }
        extraData.put("create_time", System.currentTimeMillis());
        queue.put(new QueueItem(num, seq.getAndIncrement(), promptId, (ObjectNode) prompt, extraData,
                result.outputs()));
        ObjectNode reply = Json.object().put("prompt_id", promptId);
        reply.putPOJO("number", num);
        reply.set("node_errors", result.nodeErrors());
        return Reply.json(reply);
    }

    private static Reply badRequest(ObjectNode error, ObjectNode nodeErrors) {
        ObjectNode reply = Json.object();
        reply.set("error", error);
        reply.set("node_errors", nodeErrors);
        return Reply.json(400, reply);
    }

    // ---- queue, history, interrupt, free ----------------------------------------------------------------------

    private Reply postQueue(Call call) {
        JsonNode body = parse(call);
        if (body == null || !body.isObject()) {
            return trouble();
        }
        if (body.path("clear").asBoolean(false)) {
            queue.clear();
        }
        if (body.has("delete")) {
            queue.delete(ids(body.get("delete")));
        }
        return Reply.empty(200);
    }

    private Reply getHistory(Call call) {
        try {
            Integer maxItems = call.query("max_items") == null ? null : Integer.valueOf(call.query("max_items"));
            int offset = call.query("offset") == null ? -1 : Integer.parseInt(call.query("offset"));
            return Reply.json(history.list(maxItems, offset));
        } catch (NumberFormatException e) {
            return trouble();
        }
    }

    private Reply postHistory(Call call) {
        JsonNode body = parse(call);
        if (body == null || !body.isObject()) {
            return trouble();
        }
        if (body.path("clear").asBoolean(false)) {
            history.clear();
        }
        if (body.has("delete")) {
            history.delete(ids(body.get("delete")));
        }
        return Reply.empty(200);
    }

    /** The body is optional: without JSON the interrupt is global, as in server.py. */
    private Reply interrupt(Call call) {
        JsonNode body = parse(call);
        String promptId = body != null && body.hasNonNull("prompt_id") ? body.get("prompt_id").asText() : null;
        queue.interrupt(promptId == null || promptId.isEmpty() ? null : promptId);
        return Reply.empty(200);
    }

    /**
     * server.py's /free: unload_models or free_memory lets go of the model on the emulated GPU; free_memory also
     * empties the node cache (observed on a real server). The body must be JSON, as the real handler requires.
     */
    private Reply free(Call call) {
        JsonNode body = parse(call);
        if (body == null || !body.isObject()) {
            return trouble();
        }
        boolean freeMemory = body.path("free_memory").asBoolean(false);
        if (freeMemory || body.path("unload_models").asBoolean(false)) {
            gpu.unload(name);
        }
        if (freeMemory) {
            runner.forgetCache();
        }
        return Reply.empty(200);
    }

    private ObjectNode execInfo() {
        ObjectNode info = Json.object();
        info.putObject("exec_info").put("queue_remaining", queue.remaining());
        return info;
    }

    /** The shared emulated device: what every service holds on it (InfiniteTalk's and VibeVoice's models too). */
    private ObjectNode systemStats() {
        ObjectNode stats = Json.object();
        ObjectNode system = stats.putObject("system").put("os", "posix").put("ram_total", 134_959_267_840L)
                .put("ram_free", 118_431_748_096L).put("comfyui_version", "0.3.67")
                .put("python_version", "3.12.10 (main, Apr  9 2025, 04:03:51) [GCC 13.3.0]")
                .put("pytorch_version", "2.8.0+cu128").put("embedded_python", false);
        system.putArray("argv").add("main.py").add("--listen").add("0.0.0.0").add("--port").add("8188");
        stats.putArray("devices").addObject().put("name", "cuda:0 NVIDIA GeForce RTX 5090 : cudaMallocAsync")
                .put("type", "cuda").put("index", 0).put("vram_total", gpu.capacity())
                .put("vram_free", gpu.free())
                // torch's share is ComfyUI's own process: its model
                .put("torch_vram_total", gpu.held(name))
                .put("torch_vram_free", 0L);
        return stats;
    }

    // ---- GET /view ----------------------------------------------------------------------------------------------

    /** server.py's view_image guards, in its order; every refusal has an empty body. */
    private Reply view(Call call) {
        String filename = call.query("filename");
        if (filename == null) {
            return Reply.empty(404);
        }
        Path dir = null;
        for (String type : new String[] {"output", "input", "temp"}) {
            if (filename.endsWith(" [" + type + "]")) {
                filename = filename.substring(0, filename.length() - type.length() - 3);
                dir = folder(type);
            }
        }
        if (filename.isEmpty() || filename.startsWith("/") || filename.contains("..")) {
            return Reply.empty(400);
        }
        if (dir == null) {
            dir = folder(call.query("type") == null ? "output" : call.query("type"));
            if (dir == null) {
                return Reply.empty(400);
            }
        }
        String subfolder = call.query("subfolder");
        if (subfolder != null) {
            Path full = dir.resolve(subfolder).normalize();
            if (!full.startsWith(dir)) {
                return Reply.empty(403);
            }
            dir = full;
        }
        String name = Path.of(filename).getFileName().toString();
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            return Reply.empty(404);
        }
        return Reply.file(file, contentType(name)).header("Content-Disposition", "filename=\"" + name + "\"")
                .header("X-Content-Type-Options", "nosniff");
    }

    private Path folder(String type) {
        return switch (type) {
            case "output" -> output.root();
            case "input" -> inputDir;
            case "temp" -> tempDir;
            default -> null;
        };
    }

    private static String contentType(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "image/png";
        }
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (lower.endsWith(".webp")) {
            return "image/webp";
        }
        return lower.endsWith(".mp4") ? "video/mp4" : "application/octet-stream";
    }

    // ---- websocket, origin check, worker ------------------------------------------------------------------------

    private void webSocket(RoutingContext ctx) {
        Fault fault = behaviour.takeFault("ws");
        if (fault == Fault.HANG) {
            return;
        }
        if (fault == Fault.DROP) {
            ctx.request().connection().close();
            return;
        }
        if (fault != null) {
            ctx.response().setStatusCode(500).putHeader("Content-Type", "text/plain; charset=utf-8").end(TROUBLE);
            return;
        }
        String clientId = ctx.request().getParam("clientId");
        ctx.request().toWebSocket()
                .onSuccess(ws -> hub.connect(clientId, ws, queue.remaining()))
                .onFailure(e -> {
                    if (!ctx.response().ended()) {
                        ctx.response().setStatusCode(400).end();
                    }
                });
    }

    /**
     * server.py's origin_only_middleware: when the Host is a loopback name and an Origin is sent, they must name the
     * same host (ports compared only when both carry one), else 403 with an empty body. Clients without Origin pass.
     */
    private void originOnly(RoutingContext ctx) {
        // HTTP/2 (Vert.x accepts the h2c upgrade Java's client asks for) carries the Host as :authority
        HostAndPort authority = ctx.request().authority();
        String host = authority == null ? null
                : authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
        String origin = ctx.request().getHeader("Origin");
        if (host != null && origin != null && !host.isEmpty()) {
            URI hostUri = URI.create("//" + host.toLowerCase(Locale.ROOT));
            URI originUri;
            try {
                originUri = URI.create(origin.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                originUri = URI.create("");
            }
            String hostDomain = originUri.getPort() < 0 ? hostUri.getHost() : host.toLowerCase(Locale.ROOT);
            String originDomain = hostUri.getPort() < 0 ? originUri.getHost() : originUri.getRawAuthority();
            if (isLoopback(hostUri.getHost()) && hostDomain != null && originDomain != null
                    && !originDomain.isEmpty() && !hostDomain.equals(originDomain)) {
                ctx.response().setStatusCode(403).end();
                return;
            }
        }
        ctx.next();
    }

    private static boolean isLoopback(String host) {
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }

    /** The prompt worker: one prompt at a time, in queue order, holding the emulated GPU while it runs. */
    private void work() {
        while (!stopping()) {
            QueueItem item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                journal("execute " + purpose(item));
                ObjectNode entry = onGpu("comfyui", () -> runner.execute(item, this::startWork, this::endWork));
                runner.finish(item, entry);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warn("comfyui emulator: prompt {} failed unexpectedly", item.promptId(), e);
                queue.taskDone();
            }
        }
    }

    /**
     * What a prompt renders for, in the journal: its first output's filename_prefix (talkreel names the job there,
     * talkreel/&lt;job id&gt;/portrait), else its client id. One client id serves all of a client's prompts.
     */
    private static String purpose(QueueItem item) {
        for (String output : item.outputs()) {
            JsonNode prefix = item.prompt().path(output).path("inputs").path("filename_prefix");
            if (prefix.isTextual()) {
                return prefix.asText();
            }
        }
        return item.clientId();
    }

    private void queueChanged() {
        hub.broadcastStatus(queue.remaining());
    }

    private static JsonNode parse(Call call) {
        try {
            JsonNode json = call.json();
            return json == null || json.isMissingNode() || json.isNull() ? null : json;
        } catch (IOException e) {
            return null;
        }
    }

    private static Set<String> ids(JsonNode list) {
        Set<String> ids = new HashSet<>();
        list.forEach(id -> ids.add(id.asText()));
        return ids;
    }

    private static Reply trouble() {
        return Reply.text(500, "text/plain; charset=utf-8", TROUBLE);
    }
}
