package dev.talkreel.pipeline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.emulator.CallLog;
import dev.talkreel.emulator.Emulators;
import dev.talkreel.emulator.Fault;
import dev.talkreel.gpu.GpuGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The GPU gate on the real pipeline, one emulated GPU. Early release: while talkreel still downloads a portrait
 * (ComfyUI's /view made slow), the next GPU call has already started, and the GPU never runs two things at once.
 * Scheduling: the same jobs, queued one after another while the GPU is busy, switch the GPU between models fewer times
 * under fewest-loads than under fifo, counted from the order in which the emulators started GPU work.
 * A call retried after its slot went back takes the slot again before it calls.
 */
class GpuSchedulingIT {
    private static final int JOBS = 3;

    @RegisterExtension
    static final RunningStack fewestLoads = new RunningStack(Map.of("talkreel.gpu.policy", "fewest-loads",
            // a retried TTS call waits 2 s first: time for the test to take the GPU meanwhile
            "talkreel.vibevoice.retry.initial-delay-ms", "2000", "talkreel.vibevoice.retry.max-delay-ms", "2000"));

    @RegisterExtension
    static final RunningStack fifo = new RunningStack(Map.of("talkreel.gpu.policy", "fifo"));

    @Test
    void theNextGpuCallStartsWhileThePortraitIsStillDownloaded() throws Exception {
        fewestLoads.emulators().comfyui.behaviour().latency("view", Duration.ofMillis(800));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ids.add(fewestLoads.client().submit(JobClient.job("https://www.youtube.com/watch?v=early00000" + i,
                    "Job " + i + " hands the GPU on early.")));
        }
        List<JsonNode> done = waitForAll(fewestLoads, ids);

        List<CallLog.Work> gpuWork = gpuWork(fewestLoads.emulators());
        int overlapped = 0;
        for (JsonNode job : done) {
            Instant portraitEnded = Instant.parse(job.path("steps").path("portrait").path("ended").asText());
            int own = indexOf(gpuWork, "talkreel/" + job.path("job_id").asText() + "/portrait");
            // the GPU work that started next, on any service, started before this job's portrait step was done
            if (own + 1 < gpuWork.size() && gpuWork.get(own + 1).started().isBefore(portraitEnded)) {
                overlapped++;
            }
        }
        assertTrue(overlapped > 0, "no GPU call started while a portrait was still downloaded: " + gpuWork + " " + done);
        assertEquals(1, fewestLoads.emulators().gpu.maxConcurrent(), fewestLoads.emulators().gpu.firstOverlap());
    }

    /**
     * VibeVoice answers, so the slot goes back; the answer turns out malformed, so the call is retried. The retry takes
     * the GPU again before it calls: while the test holds the slot, the retried call waits, and calls only after.
     */
    @Test
    void aRetriedCallTakesTheGpuAgainBeforeItCalls() throws Exception {
        Emulators e = fewestLoads.emulators();
        e.vibevoice.behaviour().failNext("tts", Fault.MALFORMED, 1);
        GpuGate gate = gate(fewestLoads);
        String id = fewestLoads.client().submit(JobClient.job("https://www.youtube.com/watch?v=retry000000",
                "A malformed answer, then a retry."));

        // the malformed answer came and the slot went back (the retry waits 2 s): the test takes the GPU
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> e.vibevoice.calls().count("POST /api/tts") == 1 && gate.freeSlots() == 1);
        Exchange holder = new DefaultExchange(fewestLoads.stack().camel());
        holder.setProperty(Props.JOB_ID, id);
        holder.setProperty(Props.STEP, "voice");
        gate.acquire(holder);
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.queueLength() == 1);
        assertEquals(1, e.vibevoice.calls().count("POST /api/tts"), "the retried call waits for the GPU");
        gate.release(holder);

        JsonNode done = fewestLoads.client().waitForEnd(id, Duration.ofSeconds(120));
        assertEquals("done", done.path("status").asText(), done.toString());
        assertEquals(2, e.vibevoice.calls().count("POST /api/tts"));
        assertTrue(done.path("events").findParents("retried_call").stream().anyMatch(ev -> ev.path("retried_call")
                .asBoolean() && ev.path("step").asText().equals("voice")), done.path("events").toString());
        assertEquals(1, e.gpu.maxConcurrent(), e.gpu.firstOverlap());
    }

    @Test
    void fewestLoadsSwitchesModelsLessOftenThanFifo() throws Exception {
        int fifoSwitches = switchesFor(fifo);
        int fewestSwitches = switchesFor(fewestLoads);

        System.out.println("model switches for " + JOBS + " jobs: fifo " + fifoSwitches + ", fewest-loads "
                + fewestSwitches);
        // fifo: portrait, voice, portrait, voice, ... as they came; fewest-loads: the portraits, the voices, the videos
        assertTrue(fifoSwitches >= 2 * JOBS - 1, "fifo " + fifoSwitches);
        assertEquals(2, fewestSwitches);
    }

    /**
     * Holds the GPU (as a portrait would: ComfyUI loaded) while the jobs come one after another, each in the queue
     * with its portrait and its voice before the next is sent; then lets go. Returns how often the GPU changed service.
     */
    private static int switchesFor(RunningStack stack) throws Exception {
        Emulators e = stack.emulators();
        GpuGate gate = gate(stack);
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.freeSlots() == 1);
        Exchange holder = new DefaultExchange(stack.stack().camel());
        holder.setProperty(Props.STEP, "portrait");
        gate.acquire(holder);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ids.add(stack.client().submit(JobClient.job("https://www.youtube.com/watch?v=sched00000" + i,
                    "Job " + i + " takes its turn.")));
            int queued = 2 * (i + 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> gate.queueLength() == queued);
        }
        gate.release(holder);
        List<JsonNode> done = waitForAll(stack, ids);
        assertEquals(1, e.gpu.maxConcurrent(), e.gpu.firstOverlap());
        List<String> services = gpuWork(e).stream().map(w -> w.key().substring(0, w.key().indexOf(' '))).toList();
        assertEquals(3 * JOBS, services.size(), services.toString());
        int switches = 0;
        for (int i = 1; i < services.size(); i++) {
            switches += services.get(i).equals(services.get(i - 1)) ? 0 : 1;
        }
        int passedOver = done.stream().mapToInt(j -> j.path("steps").findValues("gpu_passed_over").stream()
                .mapToInt(JsonNode::asInt).sum()).sum();
        System.out.println((stack == fifo ? "fifo" : "fewest-loads") + ": GPU work in order " + services
                + ", steps passed over " + passedOver + " times in all");
        assertTrue(stack == fifo ? passedOver == 0 : passedOver > 0, "passed over: " + passedOver);
        return switches;
    }

    private static GpuGate gate(RunningStack stack) {
        return stack.stack().camel().getRegistry().lookupByNameAndType("gpuGate", GpuGate.class);
    }

    /** Work started on the GPU services (tts, execute, generate), oldest first. */
    private static List<CallLog.Work> gpuWork(Emulators e) {
        List<CallLog.Work> all = new ArrayList<>();
        all.addAll(e.vibevoice.calls().journal());
        all.addAll(e.comfyui.calls().journal());
        all.addAll(e.infinitetalk.calls().journal());
        all.sort(Comparator.comparing(CallLog.Work::started));
        return all;
    }

    private static int indexOf(List<CallLog.Work> work, String part) {
        for (int i = 0; i < work.size(); i++) {
            if (work.get(i).key().contains(part)) {
                return i;
            }
        }
        throw new AssertionError("no GPU work for " + part + " in " + work);
    }

    private static List<JsonNode> waitForAll(RunningStack stack, List<String> ids) {
        List<JsonNode> done = new ArrayList<>();
        for (String id : ids) {
            JsonNode job = stack.client().waitForEnd(id, Duration.ofSeconds(120));
            assertEquals("done", job.path("status").asText(), job.toString());
            done.add(job);
        }
        return done;
    }
}
