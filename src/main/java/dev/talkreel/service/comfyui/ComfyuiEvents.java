package dev.talkreel.service.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.service.PollResult;
import dev.talkreel.service.TaskWaits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ComfyUI's websocket ({@code /ws?clientId=}, docs/SERVICES.md §1.5, §1.7): one connection per server (one per GPU
 * host of talkreel.gpu.hosts: a prompt's events come from the host that took it), opened at start and reopened with a
 * bounded back-off, so a portrait's poll pause ends the moment its render ends instead of
 * a poll interval later. {@code /history} stays the truth: the pause only decides when to look.
 * <p>
 * While the socket is up, a pause lasts until the prompt's execution_success / execution_error /
 * execution_interrupted (and the executing-null that follows once the history is written), or the long safety-net
 * interval; while it (or any host's) is down, the configured poll interval, as without a socket. A socket that never opens only
 * means polling: talkreel starts regardless.
 * <p>
 * Why the JDK's client and not camel-vertx-websocket: the pause must know whether the socket is up right now, and
 * Camel's client consumer reports neither the opening nor the closing of its connection to the route (its
 * connection events are a server-side option); the JDK listener has onOpen/onClose/onError.
 */
public final class ComfyuiEvents extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.comfyui");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest wait for executing-null after execution_success (they are microseconds apart on a real server). */
    private static final long SETTLE_MS = 1000;

    private final List<String> comfyuiUrls;
    private final Supplier<String> clientIdSource;
    // made from the client id on first use (guarded by this)
    private String clientId;
    private volatile List<Socket> sockets = List.of();
    private final Settings settings;
    /** One set of waits for every host's socket: prompt ids are unique, each prompt's events come from its host. */
    private final TaskWaits waits = new TaskWaits();
    private HttpClient http;
    private ScheduledExecutorService reconnects;
    private volatile boolean stopping;

    /**
     * @param safetyPollMs     the pause while the socket is up (a safety net for a lost event)
     * @param connectTimeoutMs the longest an opening handshake may take
     * @param reconnectMinMs   the first wait before opening again; doubled on each failure
     * @param reconnectMaxMs   the longest wait between two attempts
     */
    public record Settings(long safetyPollMs, long connectTimeoutMs, long reconnectMinMs, long reconnectMaxMs) {
    }

    /** {@code clientId} names this talkreel to ComfyUI: its prompts' events go to this socket only. */
    public ComfyuiEvents(String comfyuiUrl, String clientId, Settings settings) {
        this(List.of(comfyuiUrl), () -> clientId, settings);
    }

    /**
     * One socket to each ComfyUI (each GPU host's). The client id is asked for at start, not when built: it is kept on
     * the shared volume ({@link #clientIdFor}), which is written only once serve's check has let the start go on.
     */
    public ComfyuiEvents(List<String> comfyuiUrls, Supplier<String> clientId, Settings settings) {
        this.comfyuiUrls = List.copyOf(comfyuiUrls);
        this.clientIdSource = clientId;
        this.settings = settings;
    }

    /**
     * This install's client id, the same across restarts (a prompt resumed after a restart still sends its events to
     * this talkreel's socket) and different from every other install's, even one with the same folder names (ComfyUI
     * keeps one socket per id: two installs sharing an id would steal each other's events). Made once, at random,
     * and kept in {@code <shared>/.comfyui-client-id}.
     */
    public static String clientIdFor(Path shared) throws IOException {
        Path file = shared.resolve(".comfyui-client-id");
        if (!Files.isRegularFile(file)) {
            byte[] random = new byte[6];
            new SecureRandom().nextBytes(random);
            String made = "talkreel-" + HexFormat.of().formatHex(random);
            Path tmp = null;
            try {
                tmp = Files.createTempFile(shared, ".comfyui-client-id", ".tmp");
                Files.writeString(tmp, made);
                // the first of two starts at once wins; the other reads what it wrote
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException taken) {
                // made meanwhile by another start
            } catch (IOException readOnly) {
                // a volume that takes no writes is reported by readiness; this run keeps an id of its own
                LOG.warn("cannot keep ComfyUI's client id in {} ({}): this run uses {}", file, readOnly.toString(),
                        made);
                return made;
            } finally {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        String id = Files.readString(file).trim();
        if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IOException(file + " holds no client id (letters, digits, - and _, at most 64): delete it to get "
                    + "a new one");
        }
        return id;
    }

    /** ws(s)://host:port/ws?clientId=... from ComfyUI's http(s) URL. */
    static URI socketUri(String comfyuiUrl, String clientId) {
        String base = comfyuiUrl.trim().replaceAll("/+$", "");
        String ws = base.startsWith("https:") ? "wss:" + base.substring(6)
                : base.startsWith("http:") ? "ws:" + base.substring(5) : base;
        return URI.create(ws + "/ws?clientId=" + clientId);
    }

    /** Sent with every prompt as {@code client_id}. */
    public synchronized String clientId() {
        if (clientId == null) {
            clientId = clientIdSource.get();
            sockets = comfyuiUrls.stream().map(url -> new Socket(socketUri(url, clientId))).toList();
        }
        return clientId;
    }

    /** Every socket is up (with one down, the prompts of its host need the poll interval). */
    public boolean connected() {
        List<Socket> open = sockets;
        return !open.isEmpty() && open.stream().allMatch(Socket::connected);
    }

    /**
     * The pause before the next {@code /history} poll of {@code promptId}: up to the safety-net interval while the
     * socket is up (ended early by the prompt's end), else {@code pollIntervalMs}; never past {@code timeLeftMs},
     * what is left of the step's deadline.
     *
     * @return facts for the step's record: the sampler's progress, e.g. {@code progress: "7/20"}
     */
    public Map<String, Object> pause(String promptId, PollResult last, long pollIntervalMs, long timeLeftMs) {
        long max = connected() && !stopping ? Math.max(settings.safetyPollMs(), pollIntervalMs) : pollIntervalMs;
        return waits.await(promptId, Math.min(max, timeLeftMs), Math.min(SETTLE_MS, pollIntervalMs));
    }

    /** A prompt carried on after a restart: its end may have come while talkreel was away, so look again soon. */
    public void resumed(String promptId) {
        waits.resumed(promptId);
    }

    /** Ends the prompt's pause now: the step is failing or the job was cancelled, no need to wait for ComfyUI. */
    public void wake(String promptId) {
        waits.wake(promptId);
    }

    /**
     * talkreel begins to stop: every pause ends now, and later ones last the poll interval, not the safety net (the
     * socket closes later, with the other services).
     */
    public void stopWaits() {
        stopping = true;
        waits.stop();
    }

    @Override
    protected void doStart() {
        clientId();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(settings.connectTimeoutMs())).build();
        reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "comfyui-events");
            t.setDaemon(true);
            return t;
        });
        sockets.forEach(Socket::connect);
    }

    @Override
    protected void doStop() {
        waits.stop();
        reconnects.shutdownNow();
        sockets.forEach(Socket::close);
    }

    /** One text frame, {@code {"type": ..., "data": {...}}}: the events of our prompts. */
    void frame(String text) {
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (Exception e) {
            LOG.debug("ComfyUI sent a websocket frame that is not JSON: {}", text);
            return;
        }
        JsonNode data = frame.path("data");
        String promptId = data.path("prompt_id").asText(null);
        switch (frame.path("type").asText()) {
            case "execution_success", "execution_error", "execution_interrupted" -> waits.ended(promptId);
            case "executing" -> {
                // executing {node: null}: the prompt is done and its history written
                if (data.has("node") && data.get("node").isNull()) {
                    waits.settled(promptId);
                }
            }
            case "progress" -> waits.progress(promptId, data.path("value").asLong(), data.path("max").asLong());
            default -> {
                // status, execution_start, execution_cached, executed: /history says all of it
            }
        }
    }

    /** The connection to one ComfyUI, reopened with its own back-off. */
    private final class Socket {
        private final URI uri;
        private volatile WebSocket socket;
        private volatile boolean connected;
        private long backoffMs = settings.reconnectMinMs();
        private int failures;

        Socket(URI uri) {
            this.uri = uri;
        }

        boolean connected() {
            return connected;
        }

        void close() {
            WebSocket open = socket;
            if (open != null) {
                open.abort();
            }
            connected = false;
        }

        /** Opens the socket; a failure schedules the next attempt. Never blocks the caller. */
        private void connect() {
            if (!ComfyuiEvents.this.isRunAllowed()) {
                return;
            }
            http.newWebSocketBuilder().connectTimeout(Duration.ofMillis(settings.connectTimeoutMs()))
                    .buildAsync(uri, new Listener(this))
                    .whenComplete((ws, error) -> {
                        if (error != null) {
                            lost("could not open " + uri + ": " + error.getMessage());
                        }
                    });
        }

        private synchronized void opened(WebSocket ws) {
            if (!ComfyuiEvents.this.isRunAllowed()) {
                ws.abort(); // opened after talkreel began to stop: nobody would close it
                return;
            }
            socket = ws;
            connected = true;
            backoffMs = settings.reconnectMinMs();
            failures = 0;
            LOG.info("ComfyUI's websocket is open ({}): a portrait ends the moment ComfyUI says so", uri);
            // events sent while it was down are lost: every waiting prompt polls once now
            waits.wakeAll();
        }

        private synchronized void lost(String why) {
            boolean wasUp = connected;
            connected = false;
            socket = null;
            if (!ComfyuiEvents.this.isRunAllowed()) {
                return;
            }
            long delay = backoffMs;
            backoffMs = Math.min(settings.reconnectMaxMs(), backoffMs * 2);
            // the first failure is worth a warning; the retries that follow are not worth a line each
            if (wasUp || failures++ == 0) {
                LOG.warn("ComfyUI's websocket is down ({}): polling /history as configured; opening again in {} ms",
                        why, delay);
            } else {
                LOG.debug("ComfyUI's websocket is still down ({}); next try in {} ms", why, delay);
            }
            // the waiting prompts now need the short poll interval, not the safety net (a failed reopening changes
            // nothing for them: they already wait the poll interval)
            if (wasUp) {
                waits.wakeAll();
            }
            try {
                reconnects.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    /** Feeds whole text frames to {@link #frame}; binary frames (previews) are skipped. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final Socket owner;

        Listener(Socket owner) {
            this.owner = owner;
        }

        @Override
        public void onOpen(WebSocket ws) {
            owner.opened(ws);
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                frame(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            owner.lost("closed by ComfyUI, " + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            owner.lost(String.valueOf(error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage()));
        }
    }
}
