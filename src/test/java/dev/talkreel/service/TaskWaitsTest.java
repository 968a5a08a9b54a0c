package dev.talkreel.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The poll pause: its interval, the step's deadline, and the signals that end it early. */
class TaskWaitsTest {
    private final TaskWaits waits = new TaskWaits();

    @Test
    void aPlainPauseLastsItsIntervalOrWhatIsLeftOfTheDeadlineAndIgnoresAResume() {
        waits.resumed("t");
        assertTrue(timed(() -> waits.pause("t", null, 150, 10_000)) >= 145, "the interval, resumed or not");
        long ms = timed(() -> waits.pause("t", null, 10_000, 100));
        assertTrue(ms >= 95 && ms < 5_000, "the deadline's rest: " + ms);
        assertTrue(timed(() -> waits.pause("t", null, 10_000, 0)) < 5_000, "past the deadline: no wait");
    }

    @Test
    void anEndEndsThePauseAfterTheSettleTimeAndASettleAtOnceWithTheProgressTold() throws Exception {
        CompletableFuture<Map<String, Object>> paused = CompletableFuture.supplyAsync(
                () -> waits.await("t", 20_000, 10_000));
        waits.progress("t", 7, 20);
        waits.ended("t");
        waits.settled("t");
        assertEquals(Map.of("progress", "7/20"), paused.get(5, TimeUnit.SECONDS));

        waits.ended("u");
        long ms = timed(() -> waits.await("u", 20_000, 200));
        assertTrue(ms >= 195 && ms < 5_000, "the settle time after an end: " + ms);
        assertTrue(timed(() -> waits.await("u", 150, 150)) >= 145, "told once: the next pause is whole");
    }

    @Test
    void aWakeOrAStopEndsEveryPauseNow() throws Exception {
        CompletableFuture<Map<String, Object>> one = CompletableFuture.supplyAsync(() -> waits.await("a", 20_000, 0));
        CompletableFuture<Map<String, Object>> all = CompletableFuture.supplyAsync(() -> waits.await("b", 20_000, 0));
        waits.wake("a");
        one.get(5, TimeUnit.SECONDS);
        // a stop ends the pauses going on: b's must have begun (a pause begun after the stop waits, see below)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (waits.waiting() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        waits.stop();
        all.get(5, TimeUnit.SECONDS);
        assertTrue(timed(() -> waits.await("c", 150, 150)) >= 145, "later pauses wait: a loop must not spin");
    }

    private static long timed(Runnable pause) {
        long start = System.nanoTime();
        pause.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
