package dev.talkreel.chaos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.emulator.Fault;
import dev.talkreel.gpu.GpuGate;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replies a hostile service could send: a 2 GB status body, a 512 MB TTS reply, a /view trickling one byte a second,
 * a redirect, a video_path that is a link to a file outside every mapped folder. Each ends its job failed with a
 * message that names the limit, or refused, with the GPU slot free and the process up; a deleted outbox comes back.
 * The surefire JVM (orchestrator and emulators together) has -Xmx1g, so a 2 GB reply cannot fit in it.
 */
class HostileRepliesIT {
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final Duration JOB_DEADLINE = Duration.ofSeconds(90);
    private static final long VIEW_DEADLINE_MS = 5000;
    private static final List<String> FIGURES = new ArrayList<>();

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of(
            "talkreel.comfyui.transfer-deadline-ms", String.valueOf(VIEW_DEADLINE_MS),
            "talkreel.comfyui.min-rate-grace-ms", "60000"));

    @AfterAll
    static void figures() {
        System.out.println("hostile replies, figures:");
        FIGURES.forEach(f -> System.out.println("  " + f));
    }

    @Test
    void aTwoGigabyteStatusReplyFailsTheAudioStepNotTheProcess() throws Exception {
        talkreel.emulators().yttools.behaviour().failNext("status", Fault.HUGE, 2L << 30, 1);
        try (HeapWatch heap = new HeapWatch()) {
            long started = System.nanoTime();
            String id = talkreel.client().submit(JobClient.job(URL, "Two gigabytes of status."));

            JsonNode failed = talkreel.client().waitForEnd(id, JOB_DEADLINE);

            long ms = (System.nanoTime() - started) / 1_000_000;
            assertEquals("failed", failed.path("status").asText(), failed.toString());
            assertEquals("audio", failed.path("current_step").asText());
            String message = failed.path("error").path("message").asText();
            assertTrue(message.contains("yttools' reply exceeded 1 MB (talkreel.yttools.max-reply-bytes)"), message);
            assertEquals(1, talkreel.emulators().yttools.calls().count("GET /api/status/:task_id"),
                    "a reply over its cap is not asked again");
            FIGURES.add(String.format("2 GB yttools status body: job failed at audio after %d ms, peak heap %s of %d MB "
                    + "max: %s", ms, heap.peakMb(), Runtime.getRuntime().maxMemory() >> 20, message));
        }
        gpuSlotIsFreeAndTheNextJobFinishes();
    }

    @Test
    void aHalfGigabyteTtsReplyFailsTheVoiceStepAndFreesTheGpu() throws Exception {
        talkreel.emulators().vibevoice.behaviour().failNext("tts", Fault.HUGE, 512L << 20, 1);
        try (HeapWatch heap = new HeapWatch()) {
            long started = System.nanoTime();
            String id = talkreel.client().submit(JobClient.job(URL, "Half a gigabyte of speech."));

            JsonNode failed = talkreel.client().waitForEnd(id, JOB_DEADLINE);

            long ms = (System.nanoTime() - started) / 1_000_000;
            assertEquals("failed", failed.path("status").asText(), failed.toString());
            assertEquals("voice", failed.path("current_step").asText());
            String message = failed.path("error").path("message").asText();
            assertTrue(message.contains("vibevoice-api's reply exceeded 64 MB (talkreel.vibevoice.max-reply-bytes)"),
                    message);
            assertFalse(Files.exists(talkreel.shared().resolve("jobs").resolve(id).resolve("voice.wav")));
            FIGURES.add(String.format("512 MB TTS reply: job failed at voice after %d ms, peak heap %s: %s", ms,
                    heap.peakMb(), message));
        }
        gpuSlotIsFreeAndTheNextJobFinishes();
    }

    @Test
    void aTricklingViewFailsWithinItsTransferDeadlineAndFreesTheGpu() throws Exception {
        talkreel.emulators().comfyui.behaviour().failNext("view", Fault.TRICKLE, 1, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "One byte a second."));
        Instant viewStarted = waitForCall(() -> talkreel.emulators().comfyui.calls().count("GET /view") > 0);

        JsonNode failed = talkreel.client().waitForEnd(id, JOB_DEADLINE);
        Instant slotFree = waitForFreeGpu();

        assertEquals("failed", failed.path("status").asText(), failed.toString());
        JsonNode portrait = failed.path("steps").path("portrait");
        assertEquals("failed", portrait.path("state").asText(), failed.toString());
        String message = portrait.path("error").path("message").asText();
        assertTrue(message.contains("took longer than 5 s (talkreel.comfyui.transfer-deadline-ms)"), message);
        long failedAfter = Duration.between(viewStarted, Instant.parse(portrait.path("ended").asText())).toMillis();
        long freeAfter = Duration.between(viewStarted, slotFree).toMillis();
        FIGURES.add(String.format("/view at 1 byte/s, transfer deadline %d ms: failed %d ms after the download began, "
                + "GPU slot free after %d ms: %s", VIEW_DEADLINE_MS, failedAfter, freeAfter, message));
        assertTrue(failedAfter < VIEW_DEADLINE_MS + 1500, failedAfter + " ms");
        assertTrue(freeAfter < VIEW_DEADLINE_MS + 2000, freeAfter + " ms");
        assertEquals(1, talkreel.emulators().comfyui.calls().count("GET /view"), "a transfer past its deadline is not retried");
        Path part = talkreel.shared().resolve("jobs").resolve(id).resolve(".portrait.png.part");
        waitForCall(() -> !Files.exists(part));
        gpuSlotIsFreeAndTheNextJobFinishes();
    }

    @Test
    void aDeleteDuringATrickleFreesTheGpuPromptly() throws Exception {
        talkreel.emulators().comfyui.behaviour().failNext("view", Fault.TRICKLE, 1, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "Cancel me while I trickle."));
        Instant viewStarted = waitForCall(() -> talkreel.emulators().comfyui.calls().count("GET /view") > 0);

        Instant deleted = Instant.now();
        HttpResponse<String> cancel = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(talkreel.stack().api() + "/api/jobs/" + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, cancel.statusCode(), cancel.body());
        Instant slotFree = waitForFreeGpu();

        long freeAfterDelete = Duration.between(deleted, slotFree).toMillis();
        long freeAfterView = Duration.between(viewStarted, slotFree).toMillis();
        FIGURES.add(String.format("DELETE during a 1 byte/s /view: GPU slot free %d ms after the DELETE (%d ms after "
                + "the download began; its deadline is %d ms)", freeAfterDelete, freeAfterView, VIEW_DEADLINE_MS));
        assertTrue(freeAfterDelete < 2500, freeAfterDelete + " ms");
        assertTrue(freeAfterView < VIEW_DEADLINE_MS, "freed by the cancel, not by the deadline: " + freeAfterView + " ms");
        JsonNode job = talkreel.client().waitFor(id, j -> "cancelled".equals(j.path("steps").path("portrait")
                .path("state").asText()), Duration.ofSeconds(10));
        assertEquals("cancelled", job.path("status").asText());
        gpuSlotIsFreeAndTheNextJobFinishes();
    }

    @Test
    void aSymlinkedVideoPathIsRefusedAndNothingIsPublished() throws Exception {
        talkreel.emulators().infinitetalk.behaviour().failNext("generate", Fault.SYMLINK, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "Look over there."));

        JsonNode failed = talkreel.client().waitForEnd(id, JOB_DEADLINE);

        assertEquals("failed", failed.path("status").asText(), failed.toString());
        assertEquals("video", failed.path("current_step").asText());
        String message = failed.path("error").path("message").asText();
        assertTrue(message.contains("symbolic link"), message);
        Path jobDir = talkreel.shared().resolve("jobs").resolve(id);
        assertFalse(Files.exists(jobDir.resolve("video.mp4"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(talkreel.shared().resolve("outbox").resolve(id + ".mp4"), LinkOption.NOFOLLOW_LINKS));
        Path outside = talkreel.shared().resolveSibling("infinitetalk-output-outside");
        try (Stream<Path> files = Files.list(outside)) {
            assertTrue(files.anyMatch(Files::isRegularFile), "the file the link names is still where it was");
        }
        FIGURES.add("symlinked video_path: refused: " + message);
    }

    @Test
    void aRedirectIsExplainedAsARedirectNotFollowed() throws Exception {
        talkreel.emulators().yttools.behaviour().failNext("download", Fault.REDIRECT, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "Go elsewhere."));

        JsonNode failed = talkreel.client().waitForEnd(id, JOB_DEADLINE);

        assertEquals("failed", failed.path("status").asText(), failed.toString());
        String message = failed.path("error").path("message").asText();
        assertTrue(message.contains("yttools answered HTTP 302"), message);
        assertTrue(message.contains("a redirect to " + talkreel.emulators().yttools.baseUrl() + "/moved/api/download"),
                message);
        assertTrue(message.contains("which talkreel does not follow"), message);
    }

    @Test
    void anOutboxDeletedWhileAJobRunsIsCreatedAgain() throws Exception {
        String id = talkreel.client().submit(JobClient.job(URL, "Where did the outbox go?"));
        Path outbox = talkreel.shared().resolve("outbox");
        deleteTree(outbox);
        assertFalse(Files.exists(outbox));

        JsonNode done = talkreel.client().waitForEnd(id, JOB_DEADLINE);

        assertEquals("done", done.path("status").asText(), done.toString());
        assertTrue(Files.isRegularFile(outbox.resolve(id + ".mp4"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(outbox.resolve(id + ".json")));
    }

    /** The one GPU slot is back, the process still serves, and a normal job runs to the end with no GPU overlap. */
    private static void gpuSlotIsFreeAndTheNextJobFinishes() throws Exception {
        waitForFreeGpu();
        String next = talkreel.client().submit(JobClient.job(URL, "Business as usual."));
        JsonNode done = talkreel.client().waitForEnd(next, JOB_DEADLINE);
        assertEquals("done", done.path("status").asText(), done.toString());
        assertEquals(1, talkreel.emulators().gpu.maxConcurrent(), "GPU overlap: " + talkreel.emulators().gpu.firstOverlap());
    }

    private static Instant waitForFreeGpu() throws InterruptedException {
        GpuGate gate = talkreel.stack().camel().getRegistry().lookupByNameAndType("gpuGate", GpuGate.class);
        await("the GPU slot comes back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> gate.freeSlots() == gate.capacity());
        return Instant.now();
    }

    /** Waits for a condition (a call seen, a file gone); returns when it held. */
    private static Instant waitForCall(BooleanSupplier seen) throws InterruptedException {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(seen::getAsBoolean);
        return Instant.now();
    }

    private static void deleteTree(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Samples the heap in use every 20 ms, for the figures. */
    private static final class HeapWatch implements AutoCloseable {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sampler;

        HeapWatch() {
            sampler = new Thread(() -> {
                while (running.get()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20); // the sampling period of the heap watch
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-watch");
            sampler.setDaemon(true);
            sampler.start();
        }

        String peakMb() {
            return (peak.get() >> 20) + " MB";
        }

        @Override
        public void close() {
            running.set(false);
        }
    }
}
