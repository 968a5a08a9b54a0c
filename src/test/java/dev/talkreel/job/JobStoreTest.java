package dev.talkreel.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.files.SharedVolume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job record's transitions on a real folder: no Camel, no services, milliseconds per test. */
public class JobStoreTest {
    private static final List<String> STEPS = List.of("audio", "voice", "portrait", "video");
    @TempDir
    Path root;
    private JobStore store;

    @BeforeEach
    void newVolume() throws Exception {
        store = new JobStore(new SharedVolume(root), Clock.systemUTC(), () -> STEPS);
    }

    @Test
    void aNewJobIsQueuedWithEveryStepPendingAndItsIntakeMarkerWritten() throws Exception {
        JobRecord job = store.create(request("Hello there."), "http", null).job();

        JobRecord stored = store.get(job.jobId);
        assertEquals(Status.QUEUED, stored.status);
        assertEquals("Hello there.", stored.input.script);
        stored.steps.values().forEach(s -> assertEquals(Status.PENDING, s.state));
        assertTrue(Files.isRegularFile(dir(job).resolve(JobMarkers.name("intake"))), "intake marker");
        assertEquals(job.jobId, store.unfinished().get(0).jobId);
    }

    @Test
    void aStepCutOffByARestartStaysRunningWhileItQueuesForTheGpuAndKeepsItsAttempt() throws Exception {
        String id = store.create(request("Cut off."), "http", null).job().jobId;
        store.stepStarted(id, "voice");
        // the next run: the same volume, another run id
        JobStore next = new JobStore(store.volume(), Clock.systemUTC(), () -> STEPS);

        next.stepWaiting(id, "voice");
        StepRecord queued = next.get(id).step("voice");
        assertEquals(Status.RUNNING, queued.state, "still marked as the dead run's: its call may still render");
        assertTrue(next.stepStarted(id, "voice").cutOff(next.runId()));
        assertEquals(1, next.get(id).step("voice").attempt, "the same attempt, carried on");

        // a step of this run's own queues as waiting
        next.stepWaiting(id, "video");
        assertEquals(Status.WAITING_FOR_GPU, next.get(id).step("video").state);
    }

    @Test
    void aStepStartedThenDoneLeavesItsMarkerAndItsArtifactInTheRecord() throws Exception {
        String id = store.create(request("Steps."), "http", null).job().jobId;

        store.stepStarted(id, "audio");
        JobRecord running = store.get(id);
        assertEquals(Status.RUNNING, running.status);
        assertEquals(Status.RUNNING, running.step("audio").state);
        assertEquals(1, running.step("audio").attempt);

        artifact(id, "reference.mp3");
        store.stepDone(id, "audio", "reference.mp3", Map.of("bytes", 4));
        JobRecord done = store.get(id);
        assertEquals(Status.DONE, done.step("audio").state);
        assertEquals("reference.mp3", done.step("audio").artifact);
        assertNotNull(done.step("audio").elapsedMs);
        assertTrue(Files.isRegularFile(store.volume().jobDir(id).resolve("audio.done.json")), "audio marker");
        assertFalse(store.shouldRun(id, "audio"), "a done step does not run again");
        assertTrue(store.shouldRun(id, "voice"));
    }

    @Test
    void aFailedStepFailsTheJobWithStepAttemptErrorClassAndMessage() throws Exception {
        String id = store.create(request("Fails."), "http", null).job().jobId;
        store.stepStarted(id, "voice");

        store.stepFailed(id, "voice", 3, "HttpOperationFailedException", "vibevoice-api answered HTTP 503");

        JobRecord failed = store.get(id);
        assertEquals(Status.FAILED, failed.status);
        assertEquals("voice", failed.currentStep);
        StepRecord voice = failed.step("voice");
        assertEquals(Status.FAILED, voice.state);
        assertEquals("HttpOperationFailedException", voice.error.errorClass);
        assertEquals("vibevoice-api answered HTTP 503", voice.error.message);
        assertEquals(1, voice.error.attempt);
        assertEquals(3, voice.details.get("tries"));
        assertEquals("HttpOperationFailedException", failed.error.errorClass);
        assertFalse(store.shouldRun(id, "video"), "nothing runs in a failed job");
    }

    @Test
    void retryResumesAFailedJobFromItsFailedStepAndKeepsTheDoneOnes() throws Exception {
        String id = jobWithItsAudioDone("Again.");
        store.stepStarted(id, "voice");
        store.stepFailed(id, "voice", 1, "StepFailedException", "too long");

        JobStore.Action retried = store.retry(id);

        assertNull(retried.refusal(), retried.refusal());
        JobRecord job = store.get(id);
        assertEquals(Status.QUEUED, job.status);
        assertNull(job.error);
        assertEquals(Status.DONE, job.step("audio").state);
        assertEquals(Status.PENDING, job.step("voice").state);
        assertNull(job.step("voice").error);
        assertEquals("retry", job.events.get(job.events.size() - 1).get("action"));
        assertEquals("voice", job.events.get(job.events.size() - 1).get("step"));
        store.stepStarted(id, "voice");
        assertEquals(2, store.get(id).step("voice").attempt, "the retry is the step's second attempt");
    }

    @Test
    void aDoneJobIsNotRetriedAndAFinishedJobIsNotCancelled() throws Exception {
        String id = store.create(request("Done."), "http", null).job().jobId;
        store.jobDone(id, store.resultPaths(id));

        assertNotNull(store.retry(id).refusal());
        assertNotNull(store.cancel(id).refusal());
        assertEquals(Status.DONE, store.get(id).status, "found in the archive: " + store.folderOf(id));
    }

    @Test
    void cancelEndsTheJobAndARunningStepFailingAfterwardsIsRecordedAsCancelled() throws Exception {
        String id = store.create(request("Stop."), "http", null).job().jobId;
        store.stepStarted(id, "audio");

        JobStore.Action cancelled = store.cancel(id);

        assertNull(cancelled.refusal());
        assertTrue(store.isCancelled(id));
        store.stepFailed(id, "audio", 1, "StepCancelledException", "the job was cancelled");
        JobRecord job = store.get(id);
        assertEquals(Status.CANCELLED, job.status);
        assertEquals(Status.CANCELLED, job.step("audio").state);
        assertNotNull(store.cancel(id).refusal(), "cancelled once");
        assertNull(store.retry(id).refusal(), "a cancelled job can be retried");
        assertEquals(Status.QUEUED, store.get(id).status);
    }

    @Test
    void anUnreadableRecordIsKeptAsideAndTheJobRebuiltFromItsMarkers() throws Exception {
        String id = jobWithItsAudioDone("Corrupt.");
        Files.writeString(store.volume().jobDir(id).resolve(JobRecords.RECORD), "{\"job_id\": \"" + id + "\", \"sta");

        JobRecord repaired = new JobStore(store.volume(), Clock.systemUTC(), () -> STEPS).get(id);

        assertEquals(Status.QUEUED, repaired.status);
        assertEquals("Corrupt.", repaired.input.script, "the input comes back from the intake marker");
        assertEquals(Status.DONE, repaired.step("audio").state, "the marker says done");
        assertEquals(Status.PENDING, repaired.step("voice").state);
        assertEquals("repair", repaired.events.get(repaired.events.size() - 1).get("action"));
        try (Stream<Path> files = Files.list(store.volume().jobDir(id))) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("job.json.corrupt-")).count());
        }
    }

    @Test
    void aJobArchivedWhileItIsReadIsFoundInTheArchiveNeverRebuiltAsANewFailedJob() throws Exception {
        // the archive moves a finished job's folder while readers (the API, the watchers) look it up: a reader that
        // found the folder just before the move must read the record where it went, not rebuild it in a new folder
        for (int i = 0; i < 15; i++) {
            String id = store.create(request("Archived " + i + "."), "http", null).job().jobId;
            AtomicBoolean stop = new AtomicBoolean();
            List<String> seen = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        seen.add(String.valueOf(store.get(id).status));
                    } catch (RuntimeException e) {
                        seen.add(e.toString());
                    }
                }
            });
            reader.start();
            store.jobDone(id, store.resultPaths(id));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.stream().noneMatch(String.valueOf(Status.DONE)::equals) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            stop.set(true);
            reader.join(5000);
            assertTrue(List.of(String.valueOf(Status.QUEUED), String.valueOf(Status.DONE)).containsAll(seen),
                    "read as queued, then done, and nothing else: " + seen.stream().distinct().toList());
            assertTrue(seen.contains(String.valueOf(Status.DONE)), "never read as done: " + seen.stream().distinct().toList());
            assertFalse(Files.exists(store.volume().jobDir(id)), "the archived job's folder came back");
            try (Stream<Path> files = Files.list(store.archivedFolderOf(id))) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("corrupt")));
            }
        }
    }

    @Test
    void anIdempotencyKeyGivesTheFirstJobForTheSameRequestAndRefusesAnother() throws Exception {
        JobStore.Created first = store.create(request("Once."), "http", "key-1");
        JobStore.Created again = store.create(request("Once."), "http", "key-1");

        assertFalse(first.existing());
        assertTrue(again.existing());
        assertEquals(first.job().jobId, again.job().jobId);
        assertEquals(1, store.activeIds().size());
        assertThrows(IdempotencyKeys.Conflict.class, () -> store.create(request("Other."), "http", "key-1"));
        assertFalse(store.create(request("Once."), "http", "key-2").existing(), "another key, another job");
    }

    /** A job whose first step is done: its sample on disk, its marker written. */
    private String jobWithItsAudioDone(String script) throws Exception {
        String id = store.create(request(script), "http", null).job().jobId;
        store.stepStarted(id, "audio");
        artifact(id, "reference.mp3");
        store.stepDone(id, "audio", "reference.mp3", Map.of());
        return id;
    }

    /** A valid job request with {@code script} (other tests' jobs too). */
    public static JobRequest request(String script) {
        JobRequest r = new JobRequest();
        r.youtubeUrl = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
        r.videoId = "ao8f3qyMoLM";
        r.script = script;
        r.segmentStart = 40;
        r.segmentEnd = 70;
        return r;
    }

    private Path dir(JobRecord job) {
        return store.volume().jobDir(job.jobId);
    }

    private void artifact(String id, String name) throws Exception {
        Files.write(store.volume().jobDir(id).resolve(name), new byte[] {1, 2, 3, 4});
    }
}
