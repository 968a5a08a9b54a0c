package dev.talkreel.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.files.SharedVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The events the job store's transitions give, and the time estimate learnt from them, on a real folder. */
class JobEventsTest {
    private static final List<String> STEPS = List.of("audio", "voice", "portrait", "video");
    @TempDir
    Path root;
    private JobStore store;
    private final List<JobEvents.Event> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void newVolume() throws Exception {
        store = new JobStore(new SharedVolume(root), Clock.systemUTC(), () -> STEPS);
        store.events().listen(events::add);
    }

    @Test
    void eachTransitionIsOneEventWithItsStepStateAttemptAndError() throws Exception {
        String id = store.create(JobStoreTest.request("Events."), "http", null).job().jobId;
        assertEquals(List.of("status queued"), said());

        events.clear();
        store.stepStarted(id, "audio");
        assertEquals(List.of("step audio running 1", "status running"), said());

        events.clear();
        Files.write(store.volume().jobDir(id).resolve("reference.mp3"), new byte[] {1, 2, 3});
        store.stepDone(id, "audio", "reference.mp3", Map.of());
        assertEquals(List.of("step audio done 1"), said(), "told although the record read after the marker says done");
        assertTrue(events.get(0).data().get("elapsed_ms") instanceof Long);

        events.clear();
        store.events().progress(id, "voice", Map.of("progress", 40));
        store.stepStarted(id, "voice");
        store.stepFailed(id, "voice", 3, "ServiceUnavailable", "VibeVoice answered 503");
        assertEquals(List.of("progress voice", "step voice running 1", "step voice failed 1", "status failed"), said());
        assertEquals("VibeVoice answered 503", events.get(2).data().get("error"));
        assertEquals("ServiceUnavailable", events.get(3).data().get("error_class"));

        events.clear();
        store.retry(id);
        assertEquals(List.of("step voice pending 1", "action retry", "status queued"), said());
        assertTrue(events.stream().allMatch(e -> e.jobId().equals(id) && e.data().get("at") != null));
    }

    @Test
    void theEstimateIsTheMediansOfTheStepsLeftAndNullUntilEachRanOnce() throws Exception {
        StepDurations durations = new StepDurations(store.events(), 3, List::of);
        String id = store.create(JobStoreTest.request("Events."), "http", null).job().jobId;
        JobRecord job = store.get(id);
        assertNull(durations.secondsToDone(job, Instant.now()), "nothing ran here yet");

        for (long ms : new long[] {1000, 9000, 2000, 3000}) {
            step("audio", ms);
        }
        assertEquals(3000L, durations.medianMs("audio"), "the last 3 (9, 2, 3 s): the window");
        assertNull(durations.secondsToDone(job, Instant.now()), "the other steps never ran");
        step("voice", 4000);
        step("portrait", 5000);
        step("video", 10000);
        assertEquals(22L, durations.secondsToDone(job, Instant.now()));

        job.step("audio").state = Status.DONE;
        job.step("voice").state = Status.RUNNING;
        job.step("voice").started = Instant.now().minusSeconds(3).toString();
        assertEquals(16L, durations.secondsToDone(job, Instant.now()), "1 s of the voice left, 5 + 10 s after it");
        job.status = Status.DONE;
        assertEquals(0L, durations.secondsToDone(job, Instant.now()));
        job.status = Status.FAILED;
        assertNull(durations.secondsToDone(job, Instant.now()));
    }

    @Test
    void pastJobsSeedTheEstimate() throws Exception {
        JobRecord past = new JobRecord();
        for (String step : STEPS) {
            past.step(step).state = Status.DONE;
            past.step(step).elapsedMs = 2000L;
        }
        StepDurations durations = new StepDurations(store.events(), 20, () -> List.of(past));
        JobRecord job = store.get(store.create(JobStoreTest.request("Events."), "http", null).job().jobId);
        assertEquals(8L, durations.secondsToDone(job, Instant.now()));
    }

    /** A done-step event as the store gives it. */
    private void step(String name, long ms) {
        store.events().changed(new JobEvents.Before(Status.RUNNING, Map.of(name, new JobEvents.StepState(Status.RUNNING, 1)), 0),
                doneRecord(name, ms));
    }

    private static JobRecord doneRecord(String step, long ms) {
        JobRecord job = new JobRecord();
        job.jobId = "20260101-000000-aaaaaa";
        job.status = Status.RUNNING;
        job.step(step).state = Status.DONE;
        job.step(step).attempt = 1;
        job.step(step).elapsedMs = ms;
        return job;
    }

    private List<String> said() {
        return events.stream().map(e -> switch (e.type()) {
            case "step" -> "step " + e.data().get("step") + " " + e.data().get("state") + " " + e.data().get("attempt");
            case "status" -> "status " + e.data().get("status");
            case "action" -> "action " + e.data().get("action");
            default -> e.type() + " " + e.data().get("step");
        }).toList();
    }
}
