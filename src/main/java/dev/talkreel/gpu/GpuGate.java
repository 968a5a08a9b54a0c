package dev.talkreel.gpu;

import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.Props;
import dev.talkreel.pipeline.StepTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One GPU is one GPU: voice, portrait and video take a slot here before calling their service and give it back when
 * the service is done with the GPU, whatever happened. The wait is bounded (talkreel.gpu.max-wait-ms). A slot that
 * comes free goes to the waiting step the policy picks (talkreel.gpu.policy: arrival order, or the fewest model
 * loads); each choice is logged with its reason at debug level, and a step that waited has how often later steps went
 * before it in its record (step detail gpu_passed_over) and in its job's events. A plain lock and queue rather than
 * Camel's throttle: a slot is held for minutes (CAMEL-24926), and the throttle cannot choose among its waiters. No
 * state outside the instance: a pool of GPU hosts can keep one gate per host.
 *
 * <p>Given back twice over, at most once in effect: by the route's doFinally as soon as the step ends, and by an
 * on-completion registered on the exchange when the slot is taken, which runs however the exchange ends (an Error
 * such as OutOfMemoryError included), in case a path ever skips the doFinally. With early release
 * (talkreel.gpu.early-release) the step's call route gives it back sooner, the moment the service answered
 * ({@link #serviceDone}); a retry of that call takes a slot again first ({@link #acquire} at the call's start).
 */
public final class GpuGate {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.gpu");
    private static final String HOLDS_SLOT = "talkreelGpuSlot";
    /** The step gave its slot back early: a slot taken again is a retried call's, not a step waiting to start. */
    private static final String GAVE_BACK = "talkreelGpuGaveBack";

    /** What the gate is told about each step: the model it needs and its place in the pipeline. */
    public record Steps(UnaryOperator<String> modelOf, ToIntFunction<String> stageOf) {
    }

    /** How the gate works: slots, bounded wait, who goes next, and whether a call may give its slot back early. */
    public record Settings(int capacity, long maxWaitMs, GpuPolicy policy, boolean earlyRelease) {
    }

    private final Settings settings;
    private final Steps steps;
    private final JobStore jobs;
    /** Told how long each slot taken was waited for (metrics). */
    private final Consumer<Duration> waited;

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Ticket> queue = new ArrayList<>();
    private int free;
    private long arrivals;
    /** The model of the step let in last: what the GPU most likely holds. */
    private String loaded;

    public GpuGate(Settings settings, Steps steps, JobStore jobs, Consumer<Duration> waited) {
        this.settings = settings;
        this.steps = steps;
        this.jobs = jobs;
        this.waited = waited;
        this.free = settings.capacity();
    }

    /**
     * Takes a slot, waiting at most talkreel.gpu.max-wait-ms. A no-op while the exchange holds one: the step takes its
     * slot before it starts, and its call route asks again at the call's start, which only matters for a retried call
     * whose slot was given back early (errors.camel.yaml redelivers the call route): it then waits its turn again.
     */
    public void acquire(Exchange exchange) throws InterruptedException {
        if (exchange.getProperty(HOLDS_SLOT) != null) {
            return;
        }
        String jobId = exchange.getProperty(Props.JOB_ID, String.class);
        String step = exchange.getProperty(Props.STEP, String.class);
        boolean again = exchange.getProperty(GAVE_BACK) != null;
        long asked = System.nanoTime();
        Ticket ticket = enter(jobId, step);
        if (ticket != null) {
            try {
                if (!again) {
                    jobs.stepWaiting(jobId, step);
                }
            } catch (RuntimeException e) {
                leave(ticket);
                throw e;
            }
            awaitTurn(ticket);
        }
        // held by the exchange before anything else can fail: from here on every path gives it back
        Slot slot = new Slot();
        exchange.setProperty(HOLDS_SLOT, slot);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                slot.giveBack();
            }
        });
        waited.accept(Duration.ofNanos(System.nanoTime() - asked));
        if (ticket != null) {
            record(ticket, again);
        }
    }

    /** Gives the exchange's slot back, if it holds one (idempotent). */
    public void release(Exchange exchange) {
        if (exchange.removeProperty(HOLDS_SLOT) instanceof Slot slot) {
            slot.giveBack();
        }
    }

    /**
     * The service is done with the GPU (it answered): with talkreel.gpu.early-release the slot goes back now, so the
     * next GPU step starts while this one fetches, checks and writes its artifact; otherwise at the step's end.
     */
    public void serviceDone(Exchange exchange) {
        if (settings.earlyRelease()) {
            giveBackEarly(exchange);
        }
    }

    /**
     * Gives the slot back before the step ends, marked so: a later call of the step that takes it again is a retried
     * call (the step stays running in its record), not a step waiting for the GPU.
     */
    public void giveBackEarly(Exchange exchange) {
        if (exchange.getProperty(HOLDS_SLOT) != null) {
            exchange.setProperty(GAVE_BACK, true);
            release(exchange);
        }
    }

    /** Slots free right now (for tests and diagnostics). */
    public int freeSlots() {
        lock.lock();
        try {
            return free;
        } finally {
            lock.unlock();
        }
    }

    /** Steps waiting for a slot right now. */
    public int queueLength() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    public int capacity() {
        return settings.capacity();
    }

    /** Whether the exchange holds a slot (of any host's gate: an exchange holds one slot at most). */
    public static boolean holds(Exchange exchange) {
        return exchange.getProperty(HOLDS_SLOT) != null;
    }

    /** The model of the step let in last: what this GPU most likely holds (null: none yet). */
    public String loaded() {
        lock.lock();
        try {
            return loaded;
        } finally {
            lock.unlock();
        }
    }

    /** A slot at once when one is free and nobody waits (null), or a place in the queue. */
    private Ticket enter(String jobId, String step) {
        lock.lock();
        try {
            String model = steps.modelOf().apply(step);
            if (free > 0 && queue.isEmpty()) {
                free--;
                loaded = model;
                LOG.debug("GPU slot to job {} {} ({}) at once: a slot was free and nobody waited", jobId, step, model);
                return null;
            }
            Ticket t = new Ticket(new GpuWaiter(jobId, step, model, steps.stageOf().applyAsInt(step), arrivals++, 0),
                    lock.newCondition());
            queue.add(t);
            return t;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the ticket is let in; on timeout or interrupt leaves the queue (or hands on a slot just given). */
    private void awaitTurn(Ticket t) throws InterruptedException {
        long left = TimeUnit.MILLISECONDS.toNanos(settings.maxWaitMs());
        lock.lock();
        try {
            while (!t.granted && left > 0) {
                left = t.turn.awaitNanos(left);
            }
            if (!t.granted) {
                queue.remove(t);
                throw new StepTimeoutException("no GPU slot became free within " + settings.maxWaitMs() / 1000
                        + " s (talkreel.gpu.max-wait-ms); other jobs held the GPU");
            }
        } catch (InterruptedException e) {
            leave(t);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** A waiter that gives up: out of the queue, or, when its slot was just given, the slot handed on. */
    private void leave(Ticket t) {
        lock.lock();
        try {
            if (t.granted) {
                free++;
                dispatch();
            } else {
                queue.remove(t);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lets waiting steps in while slots are free, as the policy picks; those it passes over count it. */
    private void dispatch() {
        while (free > 0 && !queue.isEmpty()) {
            List<GpuWaiter> waiting = queue.stream().map(t -> t.waiter).toList();
            GpuPolicy.Choice choice = settings.policy().choose(waiting, loaded);
            int chosen = waiting.indexOf(choice.waiter());
            for (int i = 0; i < chosen; i++) {
                queue.get(i).passOver();
            }
            Ticket t = queue.remove(chosen);
            t.granted = true;
            t.reason = choice.reason();
            free--;
            loaded = t.waiter.model();
            LOG.debug("GPU slot to job {} {} ({}), {} still waiting: {}", t.waiter.jobId(), t.waiter.step(),
                    t.waiter.model(), queue.size(), choice.reason());
            t.turn.signal();
        }
    }

    private void giveBack() {
        lock.lock();
        try {
            free++;
            dispatch();
        } finally {
            lock.unlock();
        }
    }

    /** In the step's record and its job's events (one write): how often later steps went first, and why it went now. */
    private void record(Ticket t, boolean again) {
        GpuWaiter w = t.waiter;
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("passed_over", w.passedOver());
        event.put("retried_call", again);
        event.put("reason", t.reason);
        jobs.note(w.jobId(), w.step(), "gpu_slot", event, s -> s.details.merge("gpu_passed_over", w.passedOver(),
                (a, b) -> ((Number) a).intValue() + ((Number) b).intValue()));
    }

    /** A step's place in the queue. Its fields change under the gate's lock only. */
    private static final class Ticket {
        private GpuWaiter waiter;
        private final Condition turn;
        private boolean granted;
        private String reason;

        Ticket(GpuWaiter waiter, Condition turn) {
            this.waiter = waiter;
            this.turn = turn;
        }

        void passOver() {
            waiter = new GpuWaiter(waiter.jobId(), waiter.step(), waiter.model(), waiter.stage(), waiter.arrival(),
                    waiter.passedOver() + 1);
        }
    }

    /** One taken slot; giving it back more than once gives it back once. */
    private final class Slot {
        private final AtomicBoolean held = new AtomicBoolean(true);

        void giveBack() {
            if (held.compareAndSet(true, false)) {
                GpuGate.this.giveBack();
            }
        }
    }
}
