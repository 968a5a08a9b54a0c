package dev.talkreel.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTP server on loopback that plays one of the four AI services. Subclasses declare their endpoints with
 * {@link #on}; this class counts every call, applies the planned generic faults (500, hang, dropped connection,
 * malformed JSON), runs handlers on worker threads (they may sleep or run ffmpeg), and offers a small admin API under
 * {@code /_emulator/} (calls, gpu, behaviour, reset) to steer an emulator started with {@code talkreel.jar emulate}.
 */
public abstract class EmulatorServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatorServer.class);
    private static final Duration MAX_HANG = Duration.ofMinutes(30);

    protected final String name;
    protected final Behaviour behaviour = new Behaviour();
    protected final CallLog calls = new CallLog();
    protected final GpuMeter gpu;

    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.setName("emulator-worker");
        return t;
    });
    private final Set<RoutingContext> hanging = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    /** The service's model on the emulated device: what stays resident after a call, what a call needs, its load time. */
    private volatile long residentBytes;
    private volatile long workingBytes;
    private volatile Duration modelLoad = Duration.ZERO;
    /** Calls holding the model at work now: the last one to end gives the work memory back. */
    private final AtomicInteger atWork = new AtomicInteger();
    private Vertx vertx;
    private HttpServer server;
    private Router router;

    protected EmulatorServer(String name, GpuMeter gpu) {
        this.name = name;
        this.gpu = gpu;
    }

    /** Declares the service's endpoints. */
    protected abstract void routes();

    /** The service's own error body for a generic failure (FastAPI {"detail"}, ComfyUI plain text, ...). */
    protected abstract Reply errorReply(int status, String message);

    /** Starts listening on {@code host:port} (port 0 picks a free one) and returns this. */
    public EmulatorServer start(String host, int port) {
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(32).setBlockedThreadCheckInterval(60_000));
        router = Router.router(vertx);
        router.route("/_emulator/*").handler(BodyHandler.create());
        router.get("/_emulator/calls").handler(ctx -> send(ctx, Reply.json(calls.snapshot())));
        router.get("/_emulator/gpu").handler(ctx -> {
            Map<String, Object> meter = new LinkedHashMap<>();
            meter.put("busy", gpu.busy());
            meter.put("max_concurrent", gpu.maxConcurrent());
            meter.put("runs", gpu.runs());
            meter.put("first_overlap", gpu.firstOverlap());
            meter.put("vram_total", gpu.capacity());
            meter.put("vram_used", gpu.used());
            meter.put("vram_peak", gpu.peakUsed());
            meter.put("holders", gpu.holders());
            meter.put("loads", gpu.loads());
            meter.put("unloads", gpu.unloads());
            meter.put("out_of_memory", gpu.refusals());
            send(ctx, Reply.json(meter));
        });
        router.post("/_emulator/reset").handler(ctx -> {
            behaviour.reset();
            calls.reset();
            send(ctx, Reply.json(Map.of("reset", true)));
        });
        router.post("/_emulator/behaviour").handler(this::configureFromHttp);
        routes();
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                        .setMaxFormAttributeSize(64 * 1024 * 1024))
                .requestHandler(router);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException(name + " emulator cannot listen on " + host + ":" + port + ": " + e, e);
        }
        LOG.info("{} emulator listening on {}", name, baseUrl());
        return this;
    }

    public int port() {
        return server.actualPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String name() {
        return name;
    }

    public Behaviour behaviour() {
        return behaviour;
    }

    public CallLog calls() {
        return calls;
    }

    /** Declares an endpoint; {@code operation} names it for latency and fault settings. */
    protected void on(HttpMethod method, String path, String operation, Handler handler) {
        String endpoint = method.name() + " " + path;
        // uploads (VibeVoice's voice_audio part) go to the temp folder, not to the working directory
        router.route(method, path).handler(BodyHandler.create().setBodyLimit(512L * 1024 * 1024)
                .setDeleteUploadedFilesOnEnd(true).setHandleFileUploads(true)
                .setUploadsDirectory(Path.of(System.getProperty("java.io.tmpdir"), "talkreel-emulator-uploads").toString()));
        router.route(method, path).handler(ctx -> dispatch(ctx, endpoint, operation, handler));
    }

    /** Registers a raw Vert.x route (the ComfyUI websocket). */
    protected Router router() {
        return router;
    }

    protected Vertx vertx() {
        return vertx;
    }

    private void dispatch(RoutingContext ctx, String endpoint, String operation, Handler handler) {
        calls.record(endpoint);
        Behaviour.Planned planned = behaviour.takePlanned(operation);
        Fault fault = planned == null ? null : planned.fault();
        if (fault == Fault.DROP) {
            ctx.request().connection().close();
            return;
        }
        if (fault == Fault.HANG) {
            hanging.add(ctx);
            ctx.request().connection().closeHandler(v -> hanging.remove(ctx));
            vertx.setTimer(MAX_HANG.toMillis(), id -> {
                if (hanging.remove(ctx)) {
                    ctx.request().connection().close();
                }
            });
            return;
        }
        if (fault == Fault.ERROR_500) {
            send(ctx, errorReply(500, "emulated fault on " + operation));
            return;
        }
        if (fault == Fault.MALFORMED) {
            send(ctx, Reply.text(200, "application/json", "{\"emulated\": \"malformed json\", "));
            return;
        }
        if (fault == Fault.REDIRECT) {
            send(ctx, Reply.empty(302).header("Location", baseUrl() + "/moved" + ctx.request().uri()));
            return;
        }
        if (fault == Fault.HUGE) {
            sendHuge(ctx, hugePrefix(operation), planned.amount());
            return;
        }
        workers.submit(() -> {
            Reply reply;
            try {
                reply = handler.handle(new Call(ctx, fault == Fault.TRICKLE ? null : fault));
            } catch (ReplyException e) {
                reply = e.reply();
            } catch (Exception e) {
                if (!stopping) {
                    LOG.warn("{} {} failed", name, endpoint, e);
                }
                reply = errorReply(500, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (fault == Fault.TRICKLE) {
                sendTrickle(ctx, reply, planned.amount());
            } else {
                send(ctx, reply);
            }
        });
    }

    /**
     * The start of a huge reply (HUGE): a JSON object opening a string that the rest of the body fills. A service may
     * pick a field its client streams (VibeVoice's audio_base64).
     */
    protected String hugePrefix(String operation) {
        return "{\"status\": \"processing\", \"padding\": \"";
    }

    /** {@code size} bytes of JSON-looking reply, written as the client takes them: never held in memory. */
    private void sendHuge(RoutingContext ctx, String prefix, long size) {
        HttpServerResponse response = ctx.response();
        byte[] fill = new byte[64 * 1024];
        Arrays.fill(fill, (byte) 'A');
        byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
        response.setStatusCode(200).putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", String.valueOf(Math.max(size, start.length)));
        response.write(Buffer.buffer(start));
        long[] left = {size - start.length};
        Runnable pump = new Runnable() {
            @Override
            public void run() {
                while (left[0] > 0 && !response.writeQueueFull() && !response.closed() && !stopping) {
                    int n = (int) Math.min(fill.length, left[0]);
                    // at most one write queue of 64 KB chunks in flight: the body is made as the client reads it
                    response.write(Buffer.buffer(n == fill.length ? fill
                            : Arrays.copyOf(fill, n)));
                    left[0] -= n;
                }
                if (response.closed() || stopping) {
                    return;
                }
                if (left[0] <= 0) {
                    response.end();
                } else {
                    response.drainHandler(v -> run());
                }
            }
        };
        pump.run();
    }

    /** The true reply, {@code bytesPerSecond} at a time (TRICKLE); stops when the client goes away. */
    private void sendTrickle(RoutingContext ctx, Reply reply, long bytesPerSecond) {
        HttpServerResponse response = ctx.response();
        byte[] body;
        try {
            body = reply.file != null ? Files.readAllBytes(reply.file) : reply.body;
        } catch (IOException e) {
            send(ctx, errorReply(500, "cannot read " + reply.file + ": " + e));
            return;
        }
        response.setStatusCode(reply.status);
        reply.headers.forEach(response::putHeader);
        if (reply.contentType != null) {
            response.putHeader("Content-Type", reply.contentType);
        }
        response.putHeader("Content-Length", String.valueOf(body.length));
        long period = bytesPerSecond >= 10 ? 100 : 1000 / bytesPerSecond;
        int chunk = (int) Math.max(1, bytesPerSecond * period / 1000);
        int[] sent = {0};
        Runnable next = () -> {
            int n = Math.min(chunk, body.length - sent[0]);
            response.write(Buffer.buffer(Arrays.copyOfRange(body, sent[0], sent[0] + n)));
            sent[0] += n;
        };
        next.run();
        vertx.setPeriodic(period, id -> {
            if (response.closed() || response.ended() || stopping) {
                vertx.cancelTimer(id);
                return;
            }
            if (sent[0] >= body.length) {
                vertx.cancelTimer(id);
                response.end();
                return;
            }
            next.run();
        });
    }

    private void send(RoutingContext ctx, Reply reply) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(reply.status);
        reply.headers.forEach(response::putHeader);
        if (reply.contentType != null) {
            response.putHeader("Content-Type", reply.contentType);
        }
        if (reply.file != null) {
            response.sendFile(reply.file.toString());
        } else {
            response.end(Buffer.buffer(reply.body));
        }
    }

    private void configureFromHttp(RoutingContext ctx) {
        try {
            JsonNode json = Json.parse(ctx.body().buffer().getBytes());
            Map<String, String> settings = new HashMap<>();
            for (String group : new String[] {"latency", "fault"}) {
                Iterator<Map.Entry<String, JsonNode>> it = json.path(group).fields();
                it.forEachRemaining(e -> settings.put(group + "." + e.getKey(), e.getValue().asText()));
            }
            behaviour.configure(settings);
            send(ctx, Reply.json(Map.of("configured", settings.keySet())));
        } catch (Exception e) {
            send(ctx, Reply.json(400, Map.of("detail", "bad behaviour request: " + e.getMessage())));
        }
    }

    /** Sleeps for {@code duration}, waking early (with an exception) when the emulator stops. */
    protected void pause(Duration duration) throws InterruptedException {
        if (duration.isNegative()) {
            duration = Duration.ZERO;
        }
        long end = System.nanoTime() + duration.toNanos();
        while (!stopping) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 100));
        }
        throw new InterruptedException(name + " emulator stopping");
    }

    /**
     * Runs {@code work} (the emulator's own media making), then waits out what is left of {@code latency}, counted
     * from when the handler took {@code call}: a service with a latency of 5 s answers 5 s after it took the request,
     * however long ffmpeg took to read its inputs and make its file (later only when that work alone takes longer).
     * What {@code work} made is handed to {@code discard} if the emulator stops meanwhile.
     */
    protected <T> T within(Call call, Duration latency, GpuWork<T> work, Consumer<T> discard) throws Exception {
        T made = work.run();
        try {
            pauseRest(call, latency);
        } catch (InterruptedException stopped) {
            discard.accept(made);
            throw stopped;
        }
        return made;
    }

    /** Sleeps until {@code latency} after the handler took {@code call} (not at all if that has passed). */
    protected void pauseRest(Call call, Duration latency) throws InterruptedException {
        pause(latency.minusNanos(System.nanoTime() - call.startedNanos()));
    }

    /** Notes that real work started for {@code key}, so tests can tell which piece of work ran how often, and when. */
    protected void journal(String key) {
        calls.journal(key);
    }

    /**
     * The service's model on the emulated device: {@code residentGb} kept after a call (the model, or InfiniteTalk's
     * small idle share), {@code workingGb} held during one, loaded in {@code loadTime} on first use.
     */
    public void model(double residentGb, double workingGb, Duration loadTime) {
        residentBytes = GpuMeter.bytes(residentGb);
        workingBytes = GpuMeter.bytes(Math.max(residentGb, workingGb));
        modelLoad = loadTime;
    }

    public double residentGb() {
        return residentBytes / (double) (1L << 30);
    }

    public double workingGb() {
        return workingBytes / (double) (1L << 30);
    }

    public Duration modelLoad() {
        return modelLoad;
    }

    /**
     * Loads the model unless it is resident (taking the load time), then takes the memory a call needs; false when the
     * device has no room for either: the caller answers with its out-of-memory error. Pair with {@link #endWork()}.
     */
    protected boolean startWork() throws InterruptedException {
        return startWork(null);
    }

    /** {@link #startWork()} for {@code call}, whose latency then counts from the end of the model load, if any. */
    protected boolean startWork(Call call) throws InterruptedException {
        GpuMeter.Load load = gpu.load(name, residentBytes);
        if (load == GpuMeter.Load.NO_ROOM) {
            return false;
        }
        if (load == GpuMeter.Load.LOADED) {
            LOG.info("{} emulator: model loaded ({} GB resident)", name, residentBytes >> 30);
            long began = System.nanoTime();
            pause(modelLoad);
            if (call != null) {
                call.postpone(System.nanoTime() - began);
            }
        }
        synchronized (atWork) {
            if (!gpu.use(name, Math.max(gpu.held(name), workingBytes))) {
                return false;
            }
            atWork.incrementAndGet();
        }
        return true;
    }

    /** After a call that {@link #startWork() started}: the work memory beyond the resident model goes back. */
    protected void endWork() {
        synchronized (atWork) {
            if (atWork.decrementAndGet() == 0 && gpu.hasModel(name)) {
                gpu.use(name, residentBytes);
            }
        }
    }

    /** Runs {@code work} while holding the emulated GPU, so overlaps between GPU services are recorded. */
    protected <T> T onGpu(String who, GpuWork<T> work) throws Exception {
        gpu.enter(who);
        try {
            return work.run();
        } finally {
            gpu.exit();
        }
    }

    protected boolean stopping() {
        return stopping;
    }

    protected static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (Exception ignored) {
            // best effort clean-up of a temporary file
        }
    }

    @Override
    public void close() {
        stopping = true;
        hanging.forEach(ctx -> ctx.request().connection().close());
        hanging.clear();
        workers.shutdownNow();
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("{} emulator close: {}", name, e.toString());
            }
        }
    }

    /** An endpoint's logic; runs on a worker thread, so it may block. */
    @FunctionalInterface
    protected interface Handler {
        Reply handle(Call call) throws Exception;
    }

    @FunctionalInterface
    protected interface GpuWork<T> {
        T run() throws Exception;
    }
}
