package dev.talkreel.emulator.yttools;

import dev.talkreel.emulator.Call;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Reply;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the yttools FastAPI service (docs/SERVICES.md section 4): an asynchronous task API that "downloads" a segment of a
 * YouTube video's audio. {@code POST /api/download} answers at once with a task id; a background thread makes the
 * audio with ffmpeg; {@code GET /api/status/{task_id}} reports progress until the file is written and the "task"
 * latency has passed; {@code GET /api/download/{task_id}/audio} then streams the file.
 *
 * <p>Operations: "download", "task" (a task's processing time; any fault planned on it, normally TASK_FAILED, is
 * taken when the task is submitted and makes it fail as yt-dlp would), "status", "audio", "health".
 */
public final class YttoolsEmulator extends EmulatorServer {
    private static final Logger LOG = LoggerFactory.getLogger(YttoolsEmulator.class);

    private final Path workDir;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    /** Tasks submitted and not yet completed or failed (queued or processing), now and at most. */
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    /** How many tasks the service works on at once; the others wait in its queue. */
    public static final int WORKERS = 2;
    /** Makes the audio off the request thread, as the real service runs yt-dlp in the background, a few at a time. */
    private final ExecutorService downloads = Executors.newFixedThreadPool(WORKERS, r -> {
        Thread t = new Thread(r, "yttools-download");
        t.setDaemon(true);
        return t;
    });

    public YttoolsEmulator(GpuMeter gpu, Path workDir) {
        super("yttools", gpu);
        this.workDir = workDir;
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create yttools work dir " + workDir, e);
        }
    }

    @Override
    protected void routes() {
        on(HttpMethod.POST, "/api/download", "download", this::submit);
        on(HttpMethod.GET, "/api/status/:task_id", "status", this::status);
        on(HttpMethod.GET, "/api/download/:task_id/audio", "audio", this::audio);
        on(HttpMethod.GET, "/api/health", "health", call -> Reply.json(Map.of("status", "healthy")));
    }

    @Override
    protected Reply errorReply(int status, String message) {
        return Reply.json(status, Map.of("detail", message));
    }

    private Reply submit(Call call) {
        DownloadRequest request = DownloadRequest.parse(call.body());
        String id = UUID.randomUUID().toString();
        String plannedError = behaviour.takeFault("task") == null ? null
                : "ERROR: [youtube] " + request.videoId() + ": Video unavailable. This video is not available";
        Task task = new Task(id, request, workDir.resolve(id + "." + request.audioFormat()),
                behaviour.latency("task"), plannedError);
        tasks.put(id, task);
        journal("download " + request.videoId());
        if (!task.plannedToFail()) {
            maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            downloads.submit(() -> {
                try {
                    makeAudio(task);
                } finally {
                    open.decrementAndGet();
                }
            });
        }
        return Reply.json(Map.of("task_id", id, "status", "processing"));
    }

    /**
     * Writes the task's audio under a temporary name and renames it, so a reader never sees half a file, then spends
     * the rest of the task's processing time: the worker stays busy as long as the task lasts.
     */
    private void makeAudio(Task task) {
        Path part = task.file.resolveSibling(task.file.getFileName() + ".part");
        try {
            task.started();
            SegmentAudio.write(part, task.request.seconds(), task.request.audioFormat());
            Files.move(part, task.file, StandardCopyOption.ATOMIC_MOVE);
            long rest = task.remainingNanos();
            if (rest > 0) {
                TimeUnit.NANOSECONDS.sleep(rest);
            }
            task.finished();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.generationFailed("ERROR: interrupted");
        } catch (Exception e) {
            if (!stopping()) {
                LOG.warn("yttools task {} could not make its audio", task.id, e);
            }
            task.generationFailed("ERROR: Postprocessing: " + e.getMessage());
            deleteQuietly(part);
        }
    }

    private Reply status(Call call) {
        Task task = tasks.get(call.pathParam("task_id"));
        if (task == null) {
            return notFound();
        }
        Task.State state = task.state();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("task_id", task.id);
        body.put("status", state.status());
        body.put("progress", state.progress());
        body.put("error", state.error());
        return Reply.json(body);
    }

    private Reply audio(Call call) {
        Task task = tasks.get(call.pathParam("task_id"));
        if (task == null) {
            return notFound();
        }
        Task.State state = task.state();
        if (state.status().equals("failed")) {
            return errorReply(400, state.error());
        }
        if (!state.status().equals("completed")) {
            return errorReply(400, "Task not completed");
        }
        task.fetched();
        return Reply.file(task.file, task.contentType())
                .header("Content-Disposition", "attachment; filename=\"" + task.file.getFileName() + "\"");
    }

    /**
     * How long after task {@code taskId} completed a client first asked for its audio: how soon its status polls
     * noticed the end (null while the task is unknown, running or not fetched).
     */
    public Duration noticedAfter(String taskId) {
        Task task = tasks.get(taskId);
        return task == null ? null : task.noticedAfter();
    }

    /** The most tasks this service ever had queued or processing at once: what its clients put on it. */
    public int maxOpenTasks() {
        return maxOpen.get();
    }

    private Reply notFound() {
        return errorReply(404, "Task not found");
    }

    @Override
    public void close() {
        super.close();
        downloads.shutdownNow();
    }
}
