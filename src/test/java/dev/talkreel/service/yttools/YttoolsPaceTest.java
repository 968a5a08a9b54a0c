package dev.talkreel.service.yttools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.service.JsonReply;
import dev.talkreel.service.PollResult;
import dev.talkreel.service.TaskWaits;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The yttools poll schedule, played against a simulated task whose progress rises with time as yttools reports it
 * (0 while queued, then floor(100 * worked / length), 99 until the end): the pause's own clock is the simulation's.
 */
class YttoolsPaceTest {
    private static final long INTERVAL = 3000;
    private final YttoolsPace pace = new YttoolsPace(new TaskWaits(), new YttoolsPace.Settings(true, 400, 250, 1000));

    /** The times (ms since submission) at which the task is polled, until a poll finds it done. */
    private List<Long> polls(String task, long queuedMs, long lengthMs) {
        List<Long> at = new ArrayList<>();
        long now = 0;
        PollResult last = PollResult.resume(task);
        while (true) {
            now += pace.next(task, last, INTERVAL, now);
            at.add(now);
            long worked = now - queuedMs;
            if (worked >= lengthMs) {
                return at;
            }
            int progress = worked <= 0 ? 0 : (int) Math.min(99, 100 * worked / lengthMs);
            last = PollResult.running(null, JsonReply.facts("progress", progress));
            assertTrue(at.size() < 100, "a task must end: " + at);
        }
    }

    @Test
    void aShortCutIsSeenAtTheFirstLookAndATwoSecondCutJustAfterItsEnd() {
        assertEquals(List.of(400L), polls("cached", 0, 200));
        List<Long> two = polls("two", 0, 2000);
        assertEquals(2, two.size(), "a look, then one poll at the predicted end: " + two);
        long late = two.get(1) - 2000;
        assertTrue(late >= 0 && late <= 300, "noticed " + late + " ms after the end (plain polls: 1000 ms)");
    }

    @Test
    void aLongCutIsPolledNoMoreOftenThanTheIntervalAllowsAndNoticedSoonerThanPlainPolls() {
        List<Long> at = polls("long", 0, 10_000);
        long previous = 0;
        for (long t : at) {
            assertTrue(t - previous <= INTERVAL, "never longer than the interval: " + at);
            previous = t;
        }
        long last = at.get(at.size() - 1);
        assertTrue(last - 10_000 <= 300, "noticed soon after the end: " + at);
        // plain polls every 3 s: 4 polls, the end seen at 12 s
        assertTrue(at.size() <= 6, "a few more polls than plain at most: " + at);
    }

    @Test
    void aQueuedTaskBacksOffAndEveryTaskStaysWithinOnePollASecondOnAverage() {
        for (long[] task : new long[][] {{0, 700}, {0, 1300}, {0, 5000}, {2500, 1500}, {4000, 30_000}, {0, 61_000}}) {
            List<Long> at = polls("q" + task[0] + "-" + task[1], task[0], task[1]);
            long life = at.get(at.size() - 1);
            // the first look aside, at most one poll per second of the task's life
            assertTrue(at.size() - 1 <= life / 1000, "polls " + at + " over " + life + " ms");
            for (int i = 1; i < at.size(); i++) {
                assertTrue(at.get(i) - at.get(i - 1) >= 250, "never shorter than the floor: " + at);
            }
            assertTrue(life - task[0] - task[1] <= 3000, "never later than the interval: " + at);
        }
    }

    @Test
    void aTaskStuckAtNinetyNineIsPolledLessAndLessOften() {
        List<Long> waits = new ArrayList<>();
        long now = 0;
        PollResult last = PollResult.resume("stuck");
        for (int i = 0; i < 8; i++) {
            long wait = pace.next("stuck", last, INTERVAL, now);
            waits.add(wait);
            now += wait;
            last = PollResult.running(null, JsonReply.facts("progress", Math.min(99, (int) (now / 20))));
        }
        assertEquals(INTERVAL, waits.get(waits.size() - 1), "back to the plain interval: " + waits);
    }

    @Test
    void anIntervalShorterThanTheFloorWinsOverEveryOtherBound() {
        long now = 0;
        PollResult last = PollResult.resume("fast");
        for (int i = 0; i < 20; i++) {
            long wait = pace.next("fast", last, 100, now);
            assertEquals(100, wait, "poll " + i + ": an operator's 100 ms polls stay 100 ms");
            now += wait;
            last = PollResult.running(null, JsonReply.facts("progress", i < 5 ? 0 : i));
        }
    }

    @Test
    void switchedOffEveryPauseIsTheInterval() {
        YttoolsPace plain = new YttoolsPace(new TaskWaits(), new YttoolsPace.Settings(false, 400, 250, 1000));
        long start = System.nanoTime();
        plain.pause("t", PollResult.resume("t"), 150, 10_000);
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 145);
    }

    @Test
    void progressIsReadAsYttoolsSendsIt() {
        assertEquals(42, YttoolsPace.progress(PollResult.running(null, JsonReply.facts("progress", 42.7))));
        assertEquals(7, YttoolsPace.progress(PollResult.running(null, JsonReply.facts("progress", "7"))));
        assertEquals(null, YttoolsPace.progress(PollResult.resume("t")));
        assertEquals(null, YttoolsPace.progress(PollResult.running(null, JsonReply.facts("progress", "soon"))));
    }
}
