package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Behaviour;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs one prompt the way ComfyUI's PromptExecutor does: {@code execution_start}, {@code execution_cached} for the
 * nodes whose inputs are unchanged since the previous prompt (the "classic" cache keeps only the last prompt's
 * nodes), then each remaining node in dependency order with {@code executing} (and {@code progress} per sampler step,
 * {@code executed} for image outputs), ending in {@code execution_success}, {@code execution_error} or
 * {@code execution_interrupted}. The "execute" latency is spent in the sampler(s); planned faults strike there.
 */
final class PromptRunner {
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final NodeCatalog catalog;
    private final PromptQueue queue;
    private final History history;
    private final WebSocketHub hub;
    private final Behaviour behaviour;
    private final ImageSaver output;
    private final ImageSaver temp;
    /** Node signature -> its UI output (null for nodes that show nothing); only the last prompt's nodes. */
    private Map<String, ObjectNode> cache = new HashMap<>();

    PromptRunner(NodeCatalog catalog, PromptQueue queue, History history, WebSocketHub hub, Behaviour behaviour,
                 ImageSaver output, ImageSaver temp) {
        this.catalog = catalog;
        this.queue = queue;
        this.history = history;
        this.hub = hub;
        this.behaviour = behaviour;
        this.output = output;
        this.temp = temp;
    }

    /** An interrupt noticed when {@code node} was about to run (or between its sampler steps). */
    private static final class Interrupted extends Exception {
        final String node;

        Interrupted(String node) {
            super(null, null, false, false);
            this.node = node;
        }
    }

    /** The state of one run: the status messages that go into history, and what has run so far. */
    private final class Run {
        final QueueItem item;
        final ArrayNode messages = Json.MAPPER.createArrayNode();
        final ObjectNode outputs = Json.object();
        final ObjectNode meta = Json.object();
        final List<String> executed = new ArrayList<>();
        /** The node that is running now, named by an execution_error. */
        String current;

        Run(QueueItem item) {
            this.item = item;
        }

        JsonNode node(String id) {
            return item.prompt().get(id);
        }

        ObjectNode data() {
            return Json.object().put("prompt_id", item.promptId());
        }

        /** A status message: kept for history, sent to the prompt's client (or to everyone when broadcast). */
        void message(String event, ObjectNode data, boolean broadcast) {
            data.put("timestamp", System.currentTimeMillis());
            messages.addArray().add(event).add(data);
            if (item.clientId() != null || broadcast) {
                hub.send(event, data, item.clientId());
            }
        }

        /** A progress event, sent only to the prompt's client. */
        void event(String event, ObjectNode data) {
            if (item.clientId() != null) {
                hub.send(event, data, item.clientId());
            }
        }

        void showOutput(String id, ObjectNode ui) {
            outputs.set(id, ui);
            meta.putObject(id).put("node_id", id).put("display_node", id).putNull("parent_node")
                    .put("real_node_id", id);
            ObjectNode data = Json.object().put("node", id).put("display_node", id);
            data.set("output", ui);
            data.put("prompt_id", item.promptId());
            event("executed", data);
        }
    }

    /** Puts the model on the emulated GPU for a run; false when it does not fit. */
    @FunctionalInterface
    interface ModelLoad {
        boolean start() throws InterruptedException;
    }

    /** /free with free_memory: the next prompt runs every node again. */
    void forgetCache() {
        cache = new HashMap<>();
    }

    /**
     * Executes {@code item} and returns its history entry; the caller holds the GPU meanwhile. A prompt with nodes to
     * run needs the model ({@code model}, given back by {@code done}); without room for it the sampler fails with
     * torch's out-of-memory error, as on a card another service fills.
     */
    ObjectNode execute(QueueItem item, ModelLoad model, Runnable done) throws InterruptedException {
        Run run = new Run(item);
        run.message("execution_start", run.data(), false);
        List<String> order = executionOrder(item);
        Map<String, String> signatures = new HashMap<>();
        order.forEach(id -> signatures.put(id, signature(item.prompt(), id)));
        List<String> cached = order.stream().filter(id -> cache.containsKey(signatures.get(id))).toList();
        ObjectNode cachedData = run.data();
        cached.forEach(cachedData.putArray("nodes")::add);
        run.message("execution_cached", cachedData, false);

        List<String> toRun = order.stream().filter(id -> !cached.contains(id)).toList();
        List<String> samplers = toRun.stream().filter(id -> Samplers.isSampler(run.node(id))).toList();
        String busyNode = samplers.isEmpty() ? (toRun.isEmpty() ? null : toRun.get(0)) : samplers.get(0);
        Fault fault = busyNode == null ? null : behaviour.takeFault("execute");
        boolean working = busyNode != null && model.start();
        if (busyNode != null && !working) {
            fault = Fault.OOM;
        }
        long latency = behaviour.latency("execute").toNanos();
        Map<String, ObjectNode> nextCache = new HashMap<>();
        String statusStr = "success";
        try {
            for (String id : order) {
                String signature = signatures.get(id);
                if (cached.contains(id)) {
                    ObjectNode ui = cache.get(signature);
                    nextCache.put(signature, ui);
                    if (ui != null) {
                        run.showOutput(id, ui);
                    }
                    continue;
                }
                if (queue.interruptRequested()) {
                    throw new Interrupted(id);
                }
                ObjectNode executing = Json.object().put("node", id).put("display_node", id)
                        .put("prompt_id", item.promptId());
                run.event("executing", executing);
                run.current = id;
                if (id.equals(busyNode) && fault != null) {
                    strike(fault, id);
                }
                if (samplers.contains(id)) {
                    sample(run, id, latency / samplers.size());
                } else if (id.equals(busyNode)) {
                    sleep(id, latency);
                }
                ObjectNode ui = runNode(run, id);
                run.executed.add(id);
                nextCache.put(signature, ui);
                if (ui != null) {
                    run.showOutput(id, ui);
                }
            }
            run.message("execution_success", run.data(), false);
        } catch (NodeFailure failure) {
            statusStr = "error";
            run.message("execution_error", errorData(run, run.current, failure, nextCache), false);
        } catch (Interrupted interrupted) {
            statusStr = "error";
            ObjectNode data = run.data().put("node_id", interrupted.node)
                    .put("node_type", run.node(interrupted.node).path("class_type").asText());
            run.executed.forEach(data.putArray("executed")::add);
            run.message("execution_interrupted", data, true);
        } finally {
            if (working) {
                done.run();
            }
        }
        cache = nextCache;

        ObjectNode entry = Json.object();
        entry.set("prompt", item.toJson());
        entry.set("outputs", run.outputs);
        ObjectNode status = entry.putObject("status").put("status_str", statusStr)
                .put("completed", statusStr.equals("success"));
        status.set("messages", run.messages);
        entry.set("meta", run.meta);
        return entry;
    }

    /**
     * What main.py's prompt_worker does after execute(): store the history entry, mark the task done (a status
     * broadcast with the smaller queue), and only then tell the client {@code executing null}.
     */
    void finish(QueueItem item, ObjectNode entry) {
        history.put(item.promptId(), entry);
        queue.taskDone();
        if (item.clientId() != null) {
            hub.send("executing", Json.object().putNull("node").put("prompt_id", item.promptId()), item.clientId());
        }
    }

    /** Raises the planned fault as the sampler would; HANG keeps the GPU busy until interrupted. */
    private void strike(Fault fault, String node) throws InterruptedException, Interrupted {
        switch (fault) {
            case OOM -> throw new NodeFailure("torch.OutOfMemoryError", "Allocation on device 0 would exceed allowed "
                    + "memory. (out of memory)\nCurrently allocated     : 29.87 GiB\nRequested               : 2.25 GiB\n"
                    + "Device limit            : 31.36 GiB\nFree (according to CUDA): 0 bytes\n"
                    + "PyTorch limit (set by user-supplied memory fraction)\n                        : 17179869184.00 GiB");
            case HANG -> sleep(node, Long.MAX_VALUE);
            default -> throw new NodeFailure("RuntimeError",
                    "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!");
        }
    }

    /** The sampler's steps, each a {@code progress} event, spread over the node's share of the latency. */
    private void sample(Run run, String id, long nanos) throws InterruptedException, Interrupted {
        JsonNode inputs = Samplers.stepInputs(run.item.prompt(), run.node(id));
        int steps = Math.max(1, inputs.path("steps").asInt(1));
        if (inputs.has("end_at_step")) {
            steps = Math.max(1, Math.min(steps, inputs.path("end_at_step").asInt(steps))
                    - inputs.path("start_at_step").asInt(0));
        }
        for (int step = 1; step <= steps; step++) {
            sleep(id, nanos / steps);
            ObjectNode progress = Json.object().put("value", step).put("max", steps)
                    .put("prompt_id", run.item.promptId()).put("node", id);
            run.event("progress", progress);
        }
    }

    /** Sleeps, checking for an interrupt every few milliseconds like the sampler callback does. */
    private void sleep(String node, long nanos) throws InterruptedException, Interrupted {
        long end = System.nanoTime() + Math.min(nanos, TimeUnit.DAYS.toNanos(365));
        while (true) {
            if (queue.interruptRequested()) {
                throw new Interrupted(node);
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, SLICE_NANOS));
        }
    }

    /** Runs an output node for real (draws and saves its images); other nodes only take time on a real GPU. */
    private ObjectNode runNode(Run run, String id) {
        JsonNode node = run.node(id);
        String classType = node.path("class_type").asText();
        if (!catalog.get(classType).outputNode()) {
            return null;
        }
        ImageSpec spec = imageSpec(run.item.prompt(), id, new LinkedHashSet<>());
        long variety = variety(run.item.prompt());
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < spec.count(); i++) {
            images.add(PortraitPainter.paint(spec.width(), spec.height(), variety + i));
        }
        boolean preview = classType.equals("PreviewImage");
        String prefix = preview ? "ComfyUI_temp_" + randomLetters(5)
                : node.path("inputs").path("filename_prefix").asText("ComfyUI");
        ObjectNode ui = Json.object();
        try {
            (preview ? temp : output).save(prefix, images).forEach(ui.putArray("images")::add);
        } catch (IOException e) {
            throw new NodeFailure("OSError", String.valueOf(e.getMessage()));
        }
        return ui;
    }

    /** Width, height and number of images that reach an output node. */
    private record ImageSpec(int width, int height, int count) {
    }

    /** Follows the links upstream to the node that fixes the image size (an empty latent or image). */
    private ImageSpec imageSpec(ObjectNode prompt, String id, Set<String> seen) {
        JsonNode node = prompt.get(id);
        if (node == null || !seen.add(id)) {
            return null;
        }
        JsonNode in = node.path("inputs");
        int batch = Math.max(1, in.path("batch_size").asInt(1));
        switch (node.path("class_type").asText()) {
            case "EmptyHunyuanLatentVideo" -> {
                // the Wan VAE turns ((length-1)//4)+1 latent frames into ((length-1)//4)*4+1 images per batch item
                int frames = (Math.max(1, in.path("length").asInt(1)) - 1) / 4 * 4 + 1;
                return new ImageSpec(decoded(in.path("width").asInt(848)), decoded(in.path("height").asInt(480)),
                        batch * frames);
            }
            case "EmptyLatentImage", "EmptySD3LatentImage" -> {
                return new ImageSpec(decoded(in.path("width").asInt(512)), decoded(in.path("height").asInt(512)),
                        batch);
            }
            case "EmptyImage" -> {
                return new ImageSpec(in.path("width").asInt(512), in.path("height").asInt(512), batch);
            }
            default -> {
                for (JsonNode value : (Iterable<JsonNode>) in::elements) {
                    if (value.isArray() && value.size() == 2) {
                        ImageSpec spec = imageSpec(prompt, value.get(0).asText(), seen);
                        if (spec != null) {
                            return spec;
                        }
                    }
                }
                return seen.size() == 1 ? new ImageSpec(512, 512, 1) : null;
            }
        }
    }

    /** A latent is an eighth of the picture each way ({@code width // 8}), so the VAE decodes a multiple of 8. */
    private static int decoded(int pixels) {
        return pixels / 8 * 8;
    }

    /** Seeds and prompt texts decide the picture, as they would decide a real sample. */
    private static long variety(ObjectNode prompt) {
        List<Object> parts = new ArrayList<>();
        prompt.elements().forEachRemaining(node -> {
            JsonNode in = node.path("inputs");
            for (String key : new String[] {"seed", "noise_seed", "text", "clip_l", "t5xxl"}) {
                if (in.has(key)) {
                    parts.add(in.get(key).asText());
                }
            }
        });
        return Objects.hash(parts.toArray());
    }

    /** The nodes the outputs need, each after the nodes it links to (ComfyUI's execution list). */
    private static List<String> executionOrder(QueueItem item) {
        Set<String> order = new LinkedHashSet<>();
        item.outputs().forEach(o -> visit(item.prompt(), o, order));
        return new ArrayList<>(order);
    }

    private static void visit(ObjectNode prompt, String id, Set<String> order) {
        if (order.contains(id)) {
            return;
        }
        for (JsonNode value : (Iterable<JsonNode>) prompt.path(id).path("inputs")::elements) {
            if (value.isArray() && value.size() == 2 && prompt.has(value.get(0).asText())) {
                visit(prompt, value.get(0).asText(), order);
            }
        }
        order.add(id);
    }

    /** A node's identity for the cache: its class and inputs, with links replaced by their source's identity. */
    private static String signature(ObjectNode prompt, String id) {
        JsonNode node = prompt.path(id);
        Map<String, String> parts = new TreeMap<>();
        node.path("inputs").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            parts.put(e.getKey(), v.isArray() && v.size() == 2 && prompt.has(v.get(0).asText())
                    ? "<" + signature(prompt, v.get(0).asText()) + ">[" + v.get(1) + "]" : v.toString());
        });
        return node.path("class_type").asText() + parts;
    }

    private ObjectNode errorData(Run run, String nodeId, NodeFailure failure, Map<String, ObjectNode> nextCache) {
        JsonNode node = run.node(nodeId);
        ObjectNode data = run.data().put("node_id", nodeId).put("node_type", node.path("class_type").asText());
        run.executed.forEach(data.putArray("executed")::add);
        data.put("exception_message", failure.getMessage()).put("exception_type", failure.pythonType());
        data.putArray("traceback")
                .add("  File \"/ComfyUI/execution.py\", line 496, in execute\n    output_data, output_ui, has_subgraph, "
                        + "has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all)\n")
                .add("  File \"/ComfyUI/nodes.py\", line 1525, in sample\n    return common_ksampler(model, seed, "
                        + "steps, cfg, sampler_name, scheduler, positive, negative, latent_image, denoise=denoise)\n");
        ObjectNode inputs = data.putObject("current_inputs");
        node.path("inputs").fields().forEachRemaining(e -> {
            if (!e.getValue().isArray()) {
                inputs.putArray(e.getKey()).add(e.getValue());
            }
        });
        ArrayNode current = data.putArray("current_outputs");
        run.item.prompt().fieldNames().forEachRemaining(id -> {
            if (run.executed.contains(id) || nextCache.containsKey(signature(run.item.prompt(), id))) {
                current.add(id);
            }
        });
        return data;
    }

    private static String randomLetters(int n) {
        Random r = new Random();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }
}
