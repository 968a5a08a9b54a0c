package dev.talkreel.gpu;

import dev.talkreel.job.JobStore;
import dev.talkreel.job.StepRecord;
import dev.talkreel.pipeline.Props;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU hosts talkreel may send GPU steps to (talkreel.gpu.hosts; without it, the one host of today's
 * talkreel.&lt;service&gt;.url settings). Each host has its own slots and policy (a {@link GpuGate}) and its own
 * VRAM hand-off (its /system_stats, its services asked to let go). A GPU step takes a slot on one host
 * ({@link #acquire}, which returns the host's name: the routes keep it in the exchange property gpuHost, and the
 * service-call template calls {@link #url} of that host). The host is chosen: the one the step's stored task runs on
 * (a restart resumes there), else one with a free slot, preferring the one whose GPU last ran the step's model, else
 * the shortest queue. A host that refused a connection is out of rotation for talkreel.gpu.host-down-ms
 * ({@link #refused}): its slot goes back and the step's retry takes a slot elsewhere.
 *
 * <p>Not Camel's loadBalance/circuitBreaker EIPs: the choice is made once per step, before the call, by free slots
 * and loaded models across many calls (submit, polls, download must reach the same host), which the failover and
 * weighted balancers cannot see; and camel-resilience4j's breaker is one per EIP in a route, not one per host named
 * in settings.
 */
public final class GpuHosts {
    private static final Logger LOG = LoggerFactory.getLogger("talkreel.gpu");

    /** One GPU host: its name, its GPU services' base URLs (by service), its slots and its hand-off. */
    public record Host(String name, Map<String, String> urls, GpuGate gate, VramHandoff handoff) {
    }

    private final List<Host> hosts;
    private final UnaryOperator<String> plainUrl;
    private final UnaryOperator<String> modelOf;
    private final long downMs;
    private final JobStore jobs;
    /** Until when (System.nanoTime) a host that refused connections is out of rotation. */
    private final Map<String, Long> downUntil = new ConcurrentHashMap<>();

    /**
     * @param plainUrl a service's talkreel.&lt;service&gt;.url: for services no host has (yttools) and no host given
     * @param modelOf the model (service) a step needs
     */
    public GpuHosts(List<Host> hosts, UnaryOperator<String> plainUrl, UnaryOperator<String> modelOf, long downMs,
                    JobStore jobs) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("talkreel.gpu.hosts names no host");
        }
        this.hosts = List.copyOf(hosts);
        this.plainUrl = plainUrl;
        this.modelOf = modelOf;
        this.downMs = downMs;
        this.jobs = jobs;
    }

    /**
     * A GPU slot on a host, with room made there for the step's model; returns the host's name (the routes set it as
     * gpuHost). A no-op returning the same host while the exchange holds its slot: the step takes it before it
     * starts and its call route asks again, which matters only for a retried call whose slot went back (early
     * release, or its host refused): that one waits for a slot again, possibly on another host.
     */
    public String acquire(Exchange exchange) throws InterruptedException {
        String held = exchange.getProperty(Props.GPU_HOST, String.class);
        if (held != null && GpuGate.holds(exchange)) {
            return held;
        }
        String jobId = exchange.getProperty(Props.JOB_ID, String.class);
        String step = exchange.getProperty(Props.STEP, String.class);
        Host host = choose(jobId, step);
        host.gate().acquire(exchange);
        if (hosts.size() > 1) {
            record(jobId, step, host);
        }
        host.handoff().prepare(exchange);
        return host.name();
    }

    /** The step's service ran out of GPU memory: room is made again on its host before it tries once more. */
    public void outOfMemory(Exchange exchange) throws InterruptedException {
        hostOf(exchange).handoff().outOfMemory(exchange);
    }

    /** Gives the exchange's slot back, if it holds one (idempotent). */
    public void release(Exchange exchange) {
        hostOf(exchange).gate().release(exchange);
    }

    /** The service answered: with talkreel.gpu.early-release the slot goes back now (see GpuGate#serviceDone). */
    public void serviceDone(Exchange exchange) {
        hostOf(exchange).gate().serviceDone(exchange);
    }

    /** A service's base URL on the host (a GPU service), or its talkreel.&lt;service&gt;.url. */
    public String url(String service, String host) {
        String own = (host == null ? hosts.get(0) : byName(host)).urls().get(service);
        return own != null ? own : plainUrl.apply(service);
    }

    /**
     * The exchange's host refused a connection or dropped it mid-call (a host that died under a call fails the same
     * way when asked again): out of rotation for talkreel.gpu.host-down-ms, its slot given back
     * so that the retry goes elsewhere; the error goes on to the step, which retries as usual (rethrown as caught).
     */
    public void refused(Exchange exchange) throws Exception {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (error == null) {
            throw new IllegalStateException("gpuHosts.refused is for a doCatch of a refused connection");
        }
        String host = exchange.getProperty(Props.GPU_HOST, String.class);
        if (host != null && hosts.size() > 1) {
            downUntil.put(host, System.nanoTime() + downMs * 1_000_000L);
            LOG.warn("GPU host {} refused a connection: out of rotation for {} ms ({})", host, downMs, error);
            String jobId = exchange.getProperty(Props.JOB_ID, String.class);
            jobs.note(jobId, exchange.getProperty(Props.STEP, String.class), "gpu_host_down",
                    Map.of("host", host, "out_of_rotation_ms", downMs), s -> { });
            hostOf(exchange).gate().giveBackEarly(exchange);
        }
        throw error;
    }

    /**
     * Whether a retry of the exchange's call goes to another host: its host is out of rotation (it refused) and
     * another is in it. Such a retry need not wait out the service's back-off, which is for a service that may recover.
     */
    public boolean retriesElsewhere(Exchange exchange) {
        String host = exchange.getProperty(Props.GPU_HOST, String.class);
        return host != null && !inRotation(host) && hosts.stream().anyMatch(h -> inRotation(h.name()));
    }

    public List<Host> hosts() {
        return hosts;
    }

    /** Whether the host is taken into account for new steps (it has not refused a connection lately). */
    public boolean inRotation(String host) {
        Long until = downUntil.get(host);
        return until == null || until - System.nanoTime() <= 0;
    }

    private Host choose(String jobId, String step) {
        List<Host> up = hosts.stream().filter(h -> inRotation(h.name())).toList();
        if (up.isEmpty()) {
            // all refused lately: the one back soonest, rather than failing a step that has retries left
            return hosts.stream().min(Comparator.comparingLong(h -> downUntil.getOrDefault(h.name(), 0L))).orElseThrow();
        }
        String stored = storedHost(jobId, step);
        for (Host h : up) {
            if (h.name().equals(stored)) {
                return h;
            }
        }
        String model = modelOf.apply(step);
        return up.stream().min(Comparator.<Host>comparingInt(h -> h.gate().freeSlots() > 0 ? 0 : 1)
                .thenComparingInt(h -> model.equals(h.gate().loaded()) ? 0 : 1)
                .thenComparingInt(h -> h.gate().queueLength() - h.gate().freeSlots())).orElseThrow();
    }

    /** The host a task stored for the step runs on (a restart resumes there), or null. */
    private String storedHost(String jobId, String step) {
        StepRecord s = jobs.find(jobId).map(j -> j.step(step)).orElse(null);
        return s == null || s.taskId == null ? null : (String) s.details.get("gpu_host");
    }

    private Host hostOf(Exchange exchange) {
        String name = exchange.getProperty(Props.GPU_HOST, String.class);
        return name == null ? hosts.get(0) : byName(name);
    }

    private Host byName(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no GPU host " + name + " in talkreel.gpu.hosts"));
    }

    /** The step's record and its job's events say which host it runs on (a retry elsewhere overwrites it). */
    private void record(String jobId, String step, Host host) {
        jobs.note(jobId, step, "gpu_host", Map.of("host", host.name()), s -> s.details.put("gpu_host", host.name()));
    }
}
