package dev.talkreel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The limits on work in flight are real: with one yttools task slot and two jobs per step, six jobs sent at once go
 * through yttools one after another, and the jobs that wait show "queued" (not failed) and spend none of their poll
 * budget or step deadline while they wait: each job alone has a budget (30 polls of 100 ms, a 6 s deadline) shorter
 * than the time the last one waits for its turn and its task together.
 */
class ConcurrencyLimitsIT {
    private static final int JOBS = 6;

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of(
            "talkreel.watch.max-parallel-jobs", "2",
            "talkreel.yttools.max-in-flight", "1",
            "talkreel.yttools.max-polls", "30",
            "talkreel.yttools.deadline-ms", "6000"));

    @Test
    void jobsOverTheLimitWaitQueuedWithoutSpendingTheirPollBudget() throws Exception {
        talkreel.emulators().yttools.behaviour().latency("task", Duration.ofMillis(800));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ids.add(talkreel.client().submit(JobClient.job("https://www.youtube.com/watch?v=limits0000" + i,
                    "Job " + i + " waits its turn politely.")));
        }

        AtomicBoolean queuedWhileAnotherRan = new AtomicBoolean();
        List<JsonNode> records = new ArrayList<>();
        // every look at the jobs checks the limit, until all ended (or the deadline: the checks below say which not)
        JobClient.eventually(Duration.ofSeconds(90), Duration.ofMillis(100), () -> {
            records.clear();
            for (String id : ids) {
                records.add(talkreel.client().job(id));
            }
            // the records are read one after another, not at one instant: overlap is judged on their times below
            long running = records.stream().filter(j -> j.path("steps").path("audio").path("state").asText()
                    .equals("running")).count();
            boolean waiting = records.stream().anyMatch(j -> j.path("status").asText().matches("queued|running")
                    && j.path("steps").path("audio").path("state").asText().equals("pending"));
            if (waiting && running == 1) {
                queuedWhileAnotherRan.set(true);
            }
            return records.stream().allMatch(j -> j.path("status").asText().matches("done|failed|cancelled"));
        });
        boolean sawQueuedWhileAnotherRan = queuedWhileAnotherRan.get();
        for (JsonNode job : records) {
            assertEquals("done", job.path("status").asText(), job.toString());
        }
        assertTrue(sawQueuedWhileAnotherRan, "a job waiting for yttools showed its audio step pending, not failed");
        // at most one job in yttools at a time: each audio step started after the one before it ended
        List<JsonNode> audio = records.stream().map(j -> j.path("steps").path("audio"))
                .sorted(Comparator.comparing(a -> Instant.parse(a.path("started").asText()))).toList();
        for (int i = 1; i < audio.size(); i++) {
            assertFalse(Instant.parse(audio.get(i).path("started").asText())
                    .isBefore(Instant.parse(audio.get(i - 1).path("ended").asText())), "overlap: " + audio);
        }
        assertEquals(1, talkreel.emulators().yttools.maxOpenTasks(), "yttools never had two tasks at once");
        assertEquals(JOBS, talkreel.emulators().yttools.calls().count("POST /api/download"), "one task per job");
        assertEquals(1, talkreel.emulators().gpu.maxConcurrent());
    }
}
