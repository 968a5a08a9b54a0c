package dev.talkreel.pipeline;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The scan schedule of one step's watcher (routes/template-step.camel.yaml, {@code scheduler: "#watchScheduler"}): a
 * plain timer every {@code delay} ms, as Camel's own scheduler, plus {@link #wake()}, a scan now, which
 * {@link HandOffs} calls the moment this process wrote a marker the step waits for. The scan stays the only path that
 * starts a step (its idempotent key and the step's claim keep a step from running twice); the wake only brings it
 * forward. Every scan runs on the watcher's one thread, so a wake during a scan makes one more scan after it, and
 * wakes that come while one is pending are one scan.
 * <p>
 * Why Java: Camel's {@code DefaultScheduledPollConsumerScheduler} has no "poll now"; the {@code scheduler} option of
 * a scheduled poll consumer takes a bean of one's own. One per watcher ({@code watchScheduler} is bound as a
 * prototype): the interface's {@code unscheduleTask()} names no consumer.
 */
public final class WatchScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler {
    private final HandOffs handOffs;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private CamelContext camel;
    private Consumer consumer;
    private volatile Runnable task;
    private String step;
    private long delay = 500;
    private long initialDelay = 1000;
    private volatile ScheduledExecutorService executor;
    private ScheduledFuture<?> timer;

    WatchScheduler(HandOffs handOffs) {
        this.handOffs = handOffs;
    }

    /** The step whose watcher this schedules ({@code scheduler.step}): the one woken when its markers are written. */
    public void setStep(String step) {
        this.step = step;
    }

    public String getStep() {
        return step;
    }

    /** Milliseconds between two timed scans ({@code scheduler.delay}, talkreel.watch.poll-ms). */
    public void setDelay(long delay) {
        this.delay = delay;
    }

    /** Milliseconds before the first timed scan ({@code scheduler.initialDelay}). */
    public void setInitialDelay(long initialDelay) {
        this.initialDelay = initialDelay;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camel = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camel;
    }

    @Override
    public void onInit(Consumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public void scheduleTask(Runnable task) {
        this.task = task;
    }

    @Override
    public synchronized void startScheduler() {
        if (timer == null && executor != null) {
            timer = executor.scheduleWithFixedDelay(task, initialDelay, delay, TimeUnit.MILLISECONDS);
            handOffs.register(step, this);
        }
    }

    @Override
    public synchronized boolean isSchedulerStarted() {
        return timer != null;
    }

    @Override
    public synchronized void unscheduleTask() {
        handOffs.unregister(step, this);
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Scans now, after the scan going on if any; a wake while one is already pending adds nothing. */
    public void wake() {
        ScheduledExecutorService running = executor;
        Runnable scan = task;
        if (running == null || scan == null || !isSchedulerStarted() || !wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            running.execute(() -> {
                // cleared before the scan: a marker written during it wakes one more
                wakePending.set(false);
                scan.run();
            });
        } catch (RejectedExecutionException stopping) {
            wakePending.set(false);
        }
    }

    @Override
    protected void doStart() {
        if (step == null || step.isBlank()) {
            throw new IllegalStateException("the watch scheduler needs scheduler.step (the step it watches for)");
        }
        executor = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(consumer, "watch-" + step);
        // a wake the last stop threw away unrun must not leave the flag set: every later wake would be ignored
        wakePending.set(false);
    }

    @Override
    protected void doStop() {
        unscheduleTask();
        if (executor != null) {
            camel.getExecutorServiceManager().shutdownNow(executor);
            executor = null;
        }
    }
}
