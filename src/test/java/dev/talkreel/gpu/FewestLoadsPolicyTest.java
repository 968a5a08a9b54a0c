package dev.talkreel.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policies on simulated queues: who goes next, and why, with no gate and no threads. */
class FewestLoadsPolicyTest {
    private static final GpuPolicy FEWEST = new FewestLoadsPolicy(5);

    @Test
    void theLoadedModelGoesBeforeOlderStepsForOtherModels() {
        List<GpuWaiter> queue = List.of(voice("j1", 0), portrait("j2", 1), video("j3", 2));

        GpuPolicy.Choice c = FEWEST.choose(queue, "comfyui");

        assertEquals("j2", c.waiter().jobId());
        assertTrue(c.reason().contains("comfyui is loaded"), c.reason());
    }

    @Test
    void forTheLoadedModelTheStepFurthestAlongGoesFirstThenTheOldest() {
        // one model serving two steps: the later step finishes its job sooner
        List<GpuWaiter> queue = List.of(new GpuWaiter("j1", "portrait", "comfyui", 2, 0, 0),
                new GpuWaiter("j2", "poster", "comfyui", 4, 1, 0), new GpuWaiter("j3", "poster", "comfyui", 4, 2, 0));

        assertEquals("j2", FEWEST.choose(queue, "comfyui").waiter().jobId());
    }

    @Test
    void whenALoadIsNeededTheModelMostStepsWaitForIsLoaded() {
        List<GpuWaiter> queue = List.of(video("j1", 0), voice("j2", 1), voice("j3", 2));

        GpuPolicy.Choice c = FEWEST.choose(queue, "comfyui");

        assertEquals("j2", c.waiter().jobId());
        assertTrue(c.reason().contains("loading vibevoice serves 2"), c.reason());
    }

    @Test
    void aLoadEitherWayGoesToTheJobAtItsVideoStepOnATie() {
        List<GpuWaiter> queue = List.of(voice("j1", 0), video("j2", 1));

        assertEquals("j2", FEWEST.choose(queue, "comfyui").waiter().jobId());
        assertEquals("j2", FEWEST.choose(queue, null).waiter().jobId());
    }

    @Test
    void aStepPassedOverTheMostAllowedGoesFirstWhateverIsLoaded() {
        List<GpuWaiter> queue = List.of(new GpuWaiter("j1", "voice", "vibevoice", 1, 0, 5), portrait("j2", 1));

        GpuPolicy.Choice c = FEWEST.choose(queue, "comfyui");

        assertEquals("j1", c.waiter().jobId());
        assertTrue(c.reason().contains("passed over 5 times"), c.reason());
    }

    @Test
    void noneMayBePassedOverAtZero() {
        List<GpuWaiter> queue = List.of(voice("j1", 0), portrait("j2", 1));

        assertEquals("j1", new FewestLoadsPolicy(0).choose(queue, "comfyui").waiter().jobId());
    }

    @Test
    void fifoTakesTheOldest() {
        List<GpuWaiter> queue = List.of(voice("j1", 0), portrait("j2", 1));

        assertEquals("j1", GpuPolicy.named("fifo", 5).choose(queue, "comfyui").waiter().jobId());
        assertThrows(IllegalArgumentException.class, () -> GpuPolicy.named("random", 5));
    }

    /**
     * Six jobs whose portraits and voices all wait, as the gate would hand slots out: fewest-loads loads each model
     * once; fifo switches at every step. Nobody is passed over more than the bound.
     */
    @Test
    void aSimulatedQueueNeedsFewerLoadsUnderFewestLoadsThanFifo() {
        assertEquals(5, simulate(GpuPolicy.named("fifo", 5)).switches);
        Simulation fewest = simulate(FEWEST);
        assertEquals(1, fewest.switches, fewest.order.toString());
        assertTrue(fewest.mostPassedOver <= 5, fewest.order.toString());
        Simulation bounded = simulate(new FewestLoadsPolicy(2));
        assertTrue(bounded.mostPassedOver <= 2, bounded.order.toString());
        assertTrue(bounded.switches > fewest.switches, bounded.order.toString());
    }

    private record Simulation(List<String> order, int switches, int mostPassedOver) {
    }

    /** Hands out one slot at a time to a queue of 3 voices and 3 portraits, interleaved, counting model switches. */
    private static Simulation simulate(GpuPolicy policy) {
        List<GpuWaiter> queue = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queue.add(voice("v" + i, 2 * i));
            queue.add(portrait("p" + i, 2 * i + 1));
        }
        List<String> order = new ArrayList<>();
        String loaded = null;
        int switches = 0;
        int most = 0;
        while (!queue.isEmpty()) {
            GpuWaiter next = policy.choose(List.copyOf(queue), loaded).waiter();
            int at = queue.indexOf(next);
            for (int i = 0; i < at; i++) {
                GpuWaiter w = queue.get(i);
                queue.set(i, new GpuWaiter(w.jobId(), w.step(), w.model(), w.stage(), w.arrival(), w.passedOver() + 1));
                most = Math.max(most, w.passedOver() + 1);
            }
            queue.remove(at);
            switches += loaded != null && !loaded.equals(next.model()) ? 1 : 0;
            loaded = next.model();
            order.add(next.jobId());
        }
        return new Simulation(order, switches, most);
    }

    private static GpuWaiter voice(String job, long arrival) {
        return new GpuWaiter(job, "voice", "vibevoice", 1, arrival, 0);
    }

    private static GpuWaiter portrait(String job, long arrival) {
        return new GpuWaiter(job, "portrait", "comfyui", 2, arrival, 0);
    }

    private static GpuWaiter video(String job, long arrival) {
        return new GpuWaiter(job, "video", "infinitetalk", 3, arrival, 0);
    }
}
