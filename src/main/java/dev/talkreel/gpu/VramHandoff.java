package dev.talkreel.gpu;

import dev.talkreel.job.JobStore;
import dev.talkreel.job.Status;
import dev.talkreel.job.StepRecord;
import dev.talkreel.pipeline.Props;
import dev.talkreel.pipeline.StepTimeoutException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One GPU, three models that do not fit on it together (VibeVoice-Large 18 GB, Wan 2.2 20 GB, InfiniteTalk 24 GB on
 * a 32 GB card), each kept in VRAM by its service after a call. Called once a GPU step holds its slot, before it calls
 * its service, this makes room for the step's model the way the seed's clear-VRAM sub-workflow does: when the model
 * the step needs is not the one talkreel ran last, it asks the services that hold VRAM to let go (ComfyUI /free,
 * VibeVoice's unload; InfiniteTalk cannot be asked, its idle share is small), then reads the device's free memory
 * (ComfyUI's /system_stats) every interval-ms, at most tries times, until the step's talkreel.&lt;service&gt;.
 * vram-required-gb is free. Out of tries, the step fails naming what still holds the memory. Each hand-off goes into
 * the job's events. talkreel.gpu.vram-handoff = false turns it off (a card with room for every model).
 *
 * <p>After a restart, a synchronous GPU call the killed run had in flight (VibeVoice, InfiniteTalk) may still be
 * rendering: killing talkreel does not stop it. Such a step asks nobody to let go (that would pull the model from
 * under the render) and first waits, up to talkreel.gpu.settle.max-wait-ms, until its memory is free, so two renders
 * never share the GPU. This wait happens with the hand-off on or off.
 */
public final class VramHandoff {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.gpu");
    private static final double GB = 1L << 30;

    /**
     * What a step needs: its service, that service's name, the free VRAM its model needs in bytes, and the longest one
     * call of it may run (talkreel.&lt;service&gt;.response-timeout-ms: how long a call cut off by a restart may render on).
     */
    public record Need(String service, String serviceName, long bytes, long longestCallMs) {
    }

    /**
     * @param enabled talkreel.gpu.vram-handoff
     * @param intervalMs talkreel.gpu.handoff.interval-ms, also the pace of the wait after a restart
     * @param tries talkreel.gpu.handoff.tries
     * @param settleMaxWaitMs talkreel.gpu.settle.max-wait-ms
     */
    public record Settings(boolean enabled, long intervalMs, int tries, long settleMaxWaitMs) {
        public Settings {
            if (tries < 1 || intervalMs < 0 || settleMaxWaitMs < 0) {
                throw new IllegalArgumentException("talkreel.gpu.handoff.tries must be at least 1 and the waits not "
                        + "negative: tries " + tries + ", interval-ms " + intervalMs + ", settle " + settleMaxWaitMs);
            }
        }
    }

    /** Before a step: go on (its model is resident, or there is room), or make room first. */
    enum Action { RESIDENT, ROOM, RELEASE }

    /** How a wait for free memory ended: enough, or not after {@code checks} (lastFree null: unreadable). */
    record Wait(boolean enough, int checks, Long lastFree, long waitedMs) {
    }

    private final Settings settings;
    private final Function<String, Need> needs;
    private final Supplier<List<VramHolder>> holderList;
    private volatile List<VramHolder> holders;
    private final Supplier<Long> freeBytes;
    private final HttpClient http;
    private final JobStore jobs;
    /** The service whose model the last GPU step that went on used: resident as far as talkreel knows (null: no idea). */
    private volatile String resident;

    /**
     * @param needs per step, what it needs; null for a step this does not apply to (not on the GPU, or no
     *        talkreel.&lt;service&gt;.vram-required-gb)
     * @param holders every GPU service that may hold VRAM, with the way to ask it to let go (read on first use: the
     *        pipeline's steps are known once the routes are added)
     * @param freeBytes the device's free memory (DeviceMemory::freeBytes), null when unreadable
     */
    public VramHandoff(Settings settings, Function<String, Need> needs, Supplier<List<VramHolder>> holders,
                       Supplier<Long> freeBytes, HttpClient http, JobStore jobs) {
        this.settings = settings;
        this.needs = needs;
        this.holderList = holders;
        this.freeBytes = freeBytes;
        this.http = http;
        this.jobs = jobs;
    }

    /** The bean call after the GPU slot is taken (routes/template-step.camel.yaml). */
    public void prepare(Exchange exchange) throws InterruptedException {
        String jobId = exchange.getProperty(Props.JOB_ID, String.class);
        String step = exchange.getProperty(Props.STEP, String.class);
        Need need = needs.apply(step);
        if (need == null) {
            return;
        }
        StepRecord before = jobs.find(jobId).map(j -> j.step(step)).orElse(null);
        boolean resumed = before != null && new JobStore.Resumed(before.state == Status.RUNNING, before.owner,
                before.taskId, before.started).cutOff(jobs.runId());
        if (resumed && before.taskId != null) {
            // a task carried on after a restart (a ComfyUI prompt): its model is on the GPU already, rendering it;
            // asking ComfyUI to free now would only wait for that render and fail the step
            LOG.debug("job {}: step {} resumes its task {}: no hand-off", jobId, step, before.taskId);
        } else if (resumed) {
            settle(jobId, step, need);
        } else if (settings.enabled()) {
            handOff(jobId, step, need);
        }
        resident = need.service();
    }

    /**
     * The step's service answered out of GPU memory: what talkreel took for resident was not (a call cut off by a
     * restart may have loaded its model since), so it is forgotten and room made as for a step whose model is unknown.
     * Nothing for a step that needs no GPU memory, or with the hand-off off.
     */
    public void outOfMemory(Exchange exchange) throws InterruptedException {
        String step = exchange.getProperty(Props.STEP, String.class);
        Need need = needs.apply(step);
        resident = null;
        if (need != null && settings.enabled()) {
            handOff(exchange.getProperty(Props.JOB_ID, String.class), step, need);
            resident = need.service();
        }
    }

    /**
     * After a restart, for a call cut off in flight (it may still render on its service): the other services are asked
     * to let go (never the step's own: that would pull the model from under the render). A service that keeps its
     * model after each call (ComfyUI, VibeVoice: they can be asked to let go) shows the same memory rendering or idle,
     * so memory cannot tell when the render is over: the step goes on at once (ComfyUI queues a second prompt behind
     * the first). A service that lets go after each call (InfiniteTalk) frees its memory when the render ends: the
     * step waits until its memory is free, at most as long as such a call can still run (its service's response
     * timeout, and talkreel.gpu.settle.max-wait-ms).
     */
    private void settle(String jobId, String step, Need need) throws InterruptedException {
        boolean keepsModel = false;
        for (VramHolder holder : holders()) {
            if (holder.service().equals(need.service())) {
                keepsModel = holder.canBeAsked();
            } else if (settings.enabled() && holder.canBeAsked()) {
                holder.ask(http);
            }
        }
        if (keepsModel) {
            LOG.info("job {}: step {} was cut off in flight by a restart; {} keeps its model between calls, so its "
                    + "memory cannot tell whether that call still renders: it goes on", jobId, step, need.serviceName());
            return;
        }
        long maxWaitMs = Math.min(settings.settleMaxWaitMs(), need.longestCallMs());
        LOG.info("job {}: step {} was cut off in flight by a restart; waiting until the GPU has {} GB free (at most {} s)",
                jobId, step, gb(need.bytes()), maxWaitMs / 1000);
        int checks = (int) Math.min(Integer.MAX_VALUE, maxWaitMs / Math.max(1, settings.intervalMs()) + 1);
        Wait wait = await(freeBytes, need.bytes(), checks, settings.intervalMs(), false);
        LOG.info("job {}: step {} goes on after {} ms ({})", jobId, step, wait.waitedMs(), wait.enough()
                ? "the GPU has room" : "the longest such a call can still run is over");
    }

    private List<VramHolder> holders() {
        if (holders == null) {
            holders = List.copyOf(holderList.get());
        }
        return holders;
    }

    private void handOff(String jobId, String step, Need need) throws InterruptedException {
        Long free = freeBytes.get();
        Action action = decide(need.service(), resident, free, need.bytes());
        if (action != Action.RELEASE) {
            LOG.debug("job {}: step {} goes on: {}", jobId, step, action == Action.RESIDENT
                    ? need.serviceName() + " ran the last GPU step" : gb(free) + " GB free");
            return;
        }
        Map<String, VramHolder.Answer> answers = new LinkedHashMap<>();
        for (VramHolder holder : toAsk(need.service(), resident, holders())) {
            answers.put(holder.name(), holder.ask(http));
        }
        Wait wait = await(freeBytes, need.bytes(), settings.tries(), settings.intervalMs(), true);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("needed_gb", gb(need.bytes()));
        event.put("free_gb_before", free == null ? null : gb(free));
        event.put("free_gb", wait.lastFree() == null ? null : gb(wait.lastFree()));
        Map<String, String> asked = new LinkedHashMap<>();
        answers.forEach((name, answer) -> asked.put(name, answer.outcome().name().toLowerCase() + ": " + answer.detail()));
        event.put("asked", asked);
        event.put("checks", wait.checks());
        event.put("waited_ms", wait.waitedMs());
        if (wait.enough() || wait.lastFree() == null) {
            event.put("outcome", wait.enough() ? "room" : "device memory unreadable: went on");
            record(jobId, step, event);
            LOG.info("job {}: GPU hand-off before step {}: {} after {} ms", jobId, step, event.get("outcome"),
                    wait.waitedMs());
            return;
        }
        String message = timeoutMessage(step, need, wait, settings, stillHolding(need.service(), answers, holders));
        event.put("outcome", "timed out");
        record(jobId, step, event);
        throw new StepTimeoutException(message);
    }

    private void record(String jobId, String step, Map<String, Object> event) {
        jobs.note(jobId, step, "gpu-handoff", event, s -> { });
    }

    /** RESIDENT: the model the step needs is the one talkreel ran last; ROOM: enough is free; else RELEASE. */
    static Action decide(String service, String resident, Long free, long needed) {
        if (service.equals(resident)) {
            return Action.RESIDENT;
        }
        return free != null && free >= needed ? Action.ROOM : Action.RELEASE;
    }

    /**
     * Whom to ask: every GPU service that can be asked, but the step's own, whose model it is about to use. When
     * talkreel does not know what is resident (a restart), its own too: a model of its own from before may be what
     * fills the card, and is loaded again anyway.
     */
    static List<VramHolder> toAsk(String service, String resident, List<VramHolder> holders) {
        return holders.stream().filter(VramHolder::canBeAsked)
                .filter(h -> resident == null || !h.service().equals(service)).toList();
    }

    /** The services that may still hold memory: those that cannot be asked, and those that did not let go. */
    static List<String> stillHolding(String service, Map<String, VramHolder.Answer> answers, List<VramHolder> holders) {
        List<String> holding = new ArrayList<>();
        for (VramHolder h : holders) {
            VramHolder.Answer answer = answers.get(h.name());
            if (!h.canBeAsked() && !h.service().equals(service)) {
                holding.add(h.name() + " (cannot be asked to let go: it keeps its models after each call)");
            } else if (answer != null && answer.outcome() == VramHolder.Outcome.FAILED) {
                holding.add(h.name() + " (did not let go: " + answer.detail() + ")");
            }
        }
        return holding;
    }

    static String timeoutMessage(String step, Need need, Wait wait, Settings settings, List<String> holding) {
        return "the GPU still had only " + gb(wait.lastFree()) + " GB free, not the " + gb(need.bytes()) + " GB step "
                + step + " needs (talkreel." + need.service() + ".vram-required-gb), after " + wait.checks()
                + " checks " + settings.intervalMs() + " ms apart (talkreel.gpu.handoff.tries, .interval-ms); "
                + "still holding GPU memory: " + (holding.isEmpty()
                ? "nothing talkreel runs let go of it (another process on the GPU?)" : String.join(", ", holding));
    }

    /**
     * Reads the free memory at once, then every {@code intervalMs}, at most {@code tries} times, until it is at least
     * {@code needed}. An unreadable device ends the wait when {@code unreadableEnds} (nothing to wait for), else it
     * counts as not enough.
     */
    static Wait await(Supplier<Long> freeBytes, long needed, int tries, long intervalMs, boolean unreadableEnds)
            throws InterruptedException {
        long start = System.nanoTime();
        Long free = null;
        int checks = 0;
        while (checks < tries) {
            if (checks > 0) {
                Thread.sleep(intervalMs);
            }
            free = freeBytes.get();
            checks++;
            if (free != null && free >= needed || free == null && unreadableEnds) {
                break;
            }
        }
        return new Wait(free != null && free >= needed, checks, free, (System.nanoTime() - start) / 1_000_000);
    }

    /** The resident model's service as talkreel knows it (for tests and diagnostics). */
    public String resident() {
        return resident;
    }

    private static double gb(Long bytes) {
        return bytes == null ? Double.NaN : Math.round(bytes / GB * 10) / 10.0;
    }
}
