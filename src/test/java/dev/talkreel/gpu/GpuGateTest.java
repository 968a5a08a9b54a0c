package dev.talkreel.gpu;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.files.SharedVolume;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.Status;
import dev.talkreel.pipeline.Props;
import dev.talkreel.pipeline.StepTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate itself, with real threads waiting on it and a real job store: every waiter is in the queue before the
 * slot comes back, so the order they get in is the policy's, not the scheduler's.
 */
class GpuGateTest {
    private static final List<String> STEPS = GpuTestJobs.STEPS;
    private static final Map<String, String> MODELS = GpuTestJobs.MODELS;

    @TempDir
    Path root;
    private JobStore jobs;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void newVolume() throws Exception {
        jobs = new JobStore(new SharedVolume(root), Clock.systemUTC(), () -> STEPS);
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void fewestLoadsServesTheLoadedModelFirstAndRecordsWhoWasPassedOver() throws Exception {
        GpuGate gate = gate("fewest-loads", 20, false);
        List<String> order = queueBehindAPortrait(gate, "voice", "portrait", "video", "portrait");

        // comfyui is loaded: both portraits; then a load either way: the video (its job's last step), then the voice
        assertEquals(List.of("portrait", "portrait", "video", "voice"), steps(order));
        JobRecord voiceJob = jobs.get(jobOf(order, "voice"));
        assertEquals(3, voiceJob.step("voice").details.get("gpu_passed_over"), voiceJob.step("voice").details.toString());
        assertTrue(voiceJob.events.stream().anyMatch(e -> "gpu_slot".equals(e.get("action"))
                && Integer.valueOf(3).equals(e.get("passed_over"))), voiceJob.events.toString());
        assertEquals(1, gate.freeSlots());
        assertEquals(0, gate.queueLength());
    }

    @Test
    void fifoServesInArrivalOrder() throws Exception {
        GpuGate gate = gate("fifo", 20, false);

        List<String> order = queueBehindAPortrait(gate, "voice", "portrait", "video", "portrait");

        assertEquals(List.of("voice", "portrait", "video", "portrait"), steps(order));
        assertEquals(0, jobs.get(jobOf(order, "voice")).step("voice").details.get("gpu_passed_over"));
    }

    @Test
    void noStepIsPassedOverMoreThanTheBound() throws Exception {
        GpuGate gate = gate("fewest-loads", 1, false);

        List<String> order = queueBehindAPortrait(gate, "voice", "portrait", "portrait");

        // the voice lets one portrait go first, then its turn has come
        assertEquals(List.of("portrait", "voice", "portrait"), steps(order));
    }

    @Test
    void aSlotGivenBackEarlyIsTakenAgainByARetriedCall() throws Exception {
        GpuGate gate = gate("fewest-loads", 20, true);
        Exchange step = exchange(job(), "voice");
        gate.acquire(step);
        gate.acquire(step);
        assertEquals(0, gate.freeSlots(), "taking the slot twice takes it once");

        gate.serviceDone(step);
        assertEquals(1, gate.freeSlots(), "the service answered: the slot is back before the step ends");
        gate.serviceDone(step);
        gate.release(step);
        assertEquals(1, gate.freeSlots(), "given back once, however often asked");

        Exchange other = exchange(job(), "portrait");
        gate.acquire(other);
        Future<?> retried = threads.submit(() -> {
            gate.acquire(step);
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.queueLength() == 1);
        assertFalse(retried.isDone(), "the retried call waits for the GPU like any step");
        gate.release(other);
        retried.get(5, TimeUnit.SECONDS);
        assertEquals(0, gate.freeSlots());
        String jobId = step.getProperty(Props.JOB_ID, String.class);
        assertEquals(Status.PENDING, jobs.get(jobId).step("voice").state,
                "a retried call does not send its running step back to waiting");
        step.getExchangeExtension().handoverCompletions().forEach(s -> s.onComplete(step));
        assertEquals(1, gate.freeSlots(), "the on-completion gives the slot back");
    }

    @Test
    void withoutEarlyReleaseTheSlotStaysUntilTheStepEnds() throws Exception {
        GpuGate gate = gate("fifo", 20, false);
        Exchange step = exchange(job(), "video");
        gate.acquire(step);

        gate.serviceDone(step);

        assertEquals(0, gate.freeSlots());
        gate.release(step);
        assertEquals(1, gate.freeSlots());
    }

    @Test
    void aWaitIsBoundedAndLeavesNothingBehind() throws Exception {
        GpuGate gate = new GpuGate(new GpuGate.Settings(1, 200, new FewestLoadsPolicy(20), true), steps(), jobs,
                w -> { });
        Exchange holder = exchange(job(), "video");
        gate.acquire(holder);

        assertThrows(StepTimeoutException.class, () -> gate.acquire(exchange(job(), "voice")));

        assertEquals(0, gate.queueLength());
        gate.release(holder);
        assertEquals(1, gate.freeSlots());
    }

    /**
     * A portrait holds the slot while steps queue in the order given (each in the queue before the next comes); then
     * the slot comes back and each one, once let in, gives it back at once. Returns "step:jobId" in the order let in.
     */
    private List<String> queueBehindAPortrait(GpuGate gate, String... waiting) throws Exception {
        Exchange holder = exchange(job(), "portrait");
        gate.acquire(holder);
        List<String> order = new CopyOnWriteArrayList<>();
        List<Future<?>> done = new ArrayList<>();
        for (String step : waiting) {
            Exchange e = exchange(job(), step);
            int before = gate.queueLength();
            done.add(threads.submit(() -> {
                gate.acquire(e);
                order.add(step + ":" + e.getProperty(Props.JOB_ID));
                gate.release(e);
                return null;
            }));
            await().atMost(Duration.ofSeconds(5)).until(() -> gate.queueLength() == before + 1);
        }
        gate.release(holder);
        for (Future<?> f : done) {
            f.get(10, TimeUnit.SECONDS);
        }
        return order;
    }

    private GpuGate gate(String policy, int maxPassedOver, boolean earlyRelease) {
        return new GpuGate(new GpuGate.Settings(1, 10_000, GpuPolicy.named(policy, maxPassedOver), earlyRelease),
                steps(), jobs, w -> { });
    }

    private static GpuGate.Steps steps() {
        return new GpuGate.Steps(MODELS::get, STEPS::indexOf);
    }

    private String job() throws Exception {
        return GpuTestJobs.job(jobs, "Waiting for the GPU.");
    }

    private static Exchange exchange(String jobId, String step) {
        return GpuTestJobs.exchange(jobId, step);
    }

    private static List<String> steps(List<String> order) {
        return order.stream().map(s -> s.substring(0, s.indexOf(':'))).toList();
    }

    private static String jobOf(List<String> order, String step) {
        return order.stream().filter(s -> s.startsWith(step + ":")).findFirst().orElseThrow().split(":")[1];
    }
}
