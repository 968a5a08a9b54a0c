package dev.talkreel.pipeline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A step watcher's scans: timed, and brought forward by a wake; wakes coalesce, one during a scan makes one more. */
class WatchSchedulerTest {
    private final CamelContext camel = new DefaultCamelContext();
    private final AtomicInteger scans = new AtomicInteger();
    private final CountDownLatch firstScanMayEnd = new CountDownLatch(1);
    private WatchScheduler scheduler;

    private WatchScheduler started(HandOffs handOffs, long delayMs) {
        camel.start();
        scheduler = handOffs.newScheduler();
        scheduler.setStep("voice");
        scheduler.setDelay(delayMs);
        scheduler.setInitialDelay(delayMs);
        scheduler.setCamelContext(camel);
        scheduler.onInit(null);
        scheduler.scheduleTask(() -> {
            if (scans.incrementAndGet() == 1) {
                try {
                    firstScanMayEnd.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        scheduler.start();
        scheduler.startScheduler();
        return scheduler;
    }

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.stop();
        }
        camel.stop();
    }

    @Test
    void wakesDuringAScanMakeOneMoreScanAndOnlyTheWokenStepScans() {
        HandOffs handOffs = new HandOffs(null, true);
        started(handOffs, 60_000);
        handOffs.wake("video");
        handOffs.wake("voice");
        await().atMost(Duration.ofSeconds(5)).until(() -> scans.get() == 1);
        for (int i = 0; i < 3; i++) {
            handOffs.wake("voice");
        }
        firstScanMayEnd.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> scans.get() == 2);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> scans.get() == 2);
        handOffs.wake("voice");
        await().atMost(Duration.ofSeconds(5)).until(() -> scans.get() == 3);
        assertTrue(scheduler.isSchedulerStarted());
    }

    @Test
    void switchedOffOnlyTheTimerScansAndAStoppedSchedulerIsNotWoken() {
        HandOffs off = new HandOffs(null, false);
        started(off, 200);
        firstScanMayEnd.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> scans.get() >= 2);
        scheduler.stop();
        int after = scans.get();
        off.wake("voice");
        scheduler.wake();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> scans.get() == after);
        assertEquals(false, scheduler.isSchedulerStarted());
    }
}
