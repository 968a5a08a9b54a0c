package dev.talkreel.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.files.SharedVolume;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.Props;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which host a GPU step goes to, and what a refusing host costs it: two hosts of one slot each, a real job store. */
class GpuHostsTest {
    private static final List<String> STEPS = GpuTestJobs.STEPS;
    private static final Map<String, String> MODELS = GpuTestJobs.MODELS;

    @TempDir
    Path root;
    private JobStore jobs;
    private GpuHosts hosts;

    @BeforeEach
    void twoHosts() throws Exception {
        jobs = new JobStore(new SharedVolume(root), Clock.systemUTC(), () -> STEPS);
        hosts = new GpuHosts(List.of(host("a"), host("b")), service -> "http://plain/" + service, MODELS::get,
                60_000, jobs);
    }

    @Test
    void aStepGoesToAFreeSlotPreferringTheHostThatRanItsModelLast() throws Exception {
        Exchange portrait = exchange(job(), "portrait");
        assertEquals("a", acquire(portrait));
        Exchange voice = exchange(job(), "voice");
        assertEquals("b", acquire(voice), "a's one slot is taken");
        hosts.release(portrait);
        hosts.release(voice);

        // both free now: the voice goes where VibeVoice ran, the portrait where ComfyUI ran
        Exchange next = exchange(job(), "voice");
        assertEquals("b", acquire(next));
        hosts.release(next);
        String id = job();
        assertEquals("a", acquire(exchange(id, "portrait")));
        JobRecord job = jobs.get(id);
        assertEquals("a", job.step("portrait").details.get("gpu_host"));
        assertTrue(job.events.stream().anyMatch(e -> "gpu_host".equals(e.get("action")) && "a".equals(e.get("host"))),
                job.events.toString());
    }

    @Test
    void aHostThatRefusedGetsNoStepsAndTheStepsSlotGoesBack() throws Exception {
        String id = job();
        Exchange voice = exchange(id, "voice");
        assertEquals("a", acquire(voice));
        ConnectException refused = new ConnectException("Connection refused");
        voice.setProperty(Exchange.EXCEPTION_CAUGHT, refused);

        assertSame(refused, assertThrows(ConnectException.class, () -> hosts.refused(voice)), "rethrown as caught");
        assertFalse(hosts.inRotation("a"));
        assertTrue(hosts.retriesElsewhere(voice), "b is up: the retry need not wait out VibeVoice's back-off");
        assertEquals(1, gate("a").freeSlots(), "the refusing step's slot went back");
        assertEquals("b", acquire(voice), "the retry goes to b, a's free slot notwithstanding");
        assertFalse(hosts.retriesElsewhere(voice), "b did not refuse");
        assertTrue(jobs.get(id).events.stream().anyMatch(e -> "gpu_host_down".equals(e.get("action"))
                && "a".equals(e.get("host"))), jobs.get(id).events.toString());
    }

    @Test
    void aStepWithAStoredTaskGoesBackToItsHost() throws Exception {
        String id = job();
        jobs.update(id, j -> {
            j.step("portrait").taskId = "prompt-1";
            j.step("portrait").details.put("gpu_host", "b");
        });
        assertEquals("b", acquire(exchange(id, "portrait")));
    }

    @Test
    void aCallGoesToItsHostsUrlAndAServiceNoHostRunsToItsOwn() {
        assertEquals("http://b/comfyui", hosts.url("comfyui", "b"));
        assertEquals("http://a/comfyui", hosts.url("comfyui", null), "no host: the first");
        assertEquals("http://plain/yttools", hosts.url("yttools", "b"));
    }

    /** What the routes do: the answer is the exchange's gpuHost. */
    private String acquire(Exchange exchange) throws InterruptedException {
        String host = hosts.acquire(exchange);
        exchange.setProperty(Props.GPU_HOST, host);
        return host;
    }

    private GpuGate gate(String name) {
        return hosts.hosts().stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow().gate();
    }

    private GpuHosts.Host host(String name) {
        GpuGate gate = new GpuGate(new GpuGate.Settings(1, 10_000, GpuPolicy.named("fifo", 0), true),
                new GpuGate.Steps(MODELS::get, STEPS::indexOf), jobs, w -> { });
        // no VRAM to make room on: the hand-off is the gate's neighbour, tested on its own (VramHandoffTest)
        VramHandoff handoff = new VramHandoff(new VramHandoff.Settings(false, 0, 1, 0), step -> null, List::of,
                () -> null, null, jobs);
        return new GpuHosts.Host(name, Map.of("vibevoice", "http://" + name + "/vibevoice", "comfyui",
                "http://" + name + "/comfyui", "infinitetalk", "http://" + name + "/infinitetalk"), gate, handoff);
    }

    private String job() throws Exception {
        return GpuTestJobs.job(jobs, "Choosing a GPU host.");
    }

    private static Exchange exchange(String jobId, String step) {
        return GpuTestJobs.exchange(jobId, step);
    }
}
