package dev.talkreel.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The hand-off's decisions: whether to make room, whom to ask, when to stop waiting, and what the failure says. */
class VramHandoffTest {
    private static final long GB = 1L << 30;
    private static final VramHolder COMFY = VramHolder.comfyui("ComfyUI", "http://comfy:8188/");
    private static final VramHolder VOICE = VramHolder.vibevoice("vibevoice-api", "http://voice:8100", "VibeVoice-Large");
    private static final VramHolder TALK = VramHolder.cannotBeAsked("infinitetalk", "infinitetalk-api");
    private static final List<VramHolder> ALL = List.of(COMFY, VOICE, TALK);

    @Test
    void makesRoomOnlyWhenTheModelIsNotResidentAndTheCardIsTooFull() {
        assertEquals(VramHandoff.Action.RESIDENT, VramHandoff.decide("vibevoice", "vibevoice", 2 * GB, 18 * GB),
                "its own model is what fills the card");
        assertEquals(VramHandoff.Action.ROOM, VramHandoff.decide("vibevoice", "comfyui", 18 * GB, 18 * GB));
        assertEquals(VramHandoff.Action.RELEASE, VramHandoff.decide("vibevoice", "comfyui", 12 * GB, 18 * GB));
        assertEquals(VramHandoff.Action.RELEASE, VramHandoff.decide("infinitetalk", null, null, 25 * GB),
                "a device that cannot be read: ask anyway");
    }

    @Test
    void asksTheOthersThatCanBeAskedAndItsOwnOnlyWhenNothingIsKnown() {
        assertEquals(List.of(VOICE), VramHandoff.toAsk("comfyui", "vibevoice", ALL));
        assertEquals(List.of(COMFY, VOICE), VramHandoff.toAsk("infinitetalk", "comfyui", ALL));
        assertEquals(List.of(COMFY, VOICE), VramHandoff.toAsk("vibevoice", null, ALL),
                "after a restart its own model from before may be what fills the card");
        assertEquals("http://comfy:8188/free", COMFY.release().toString());
        assertEquals("{\"unload_models\":true,\"free_memory\":true}", COMFY.body());
        assertEquals("http://voice:8100/api/models/VibeVoice-Large/unload", VOICE.release().toString());
        assertFalse(TALK.canBeAsked());
    }

    @Test
    void stopsWaitingOnceThereIsRoomOrAfterItsTries() throws Exception {
        VramHandoff.Wait room = VramHandoff.await(readings(10L, 12L, 30L, 30L), 25 * GB, 10, 1, true);
        assertTrue(room.enough());
        assertEquals(3, room.checks());
        assertEquals(30 * GB, room.lastFree());

        VramHandoff.Wait out = VramHandoff.await(readings(8L, 8L, 8L, 8L, 8L), 25 * GB, 4, 1, true);
        assertFalse(out.enough());
        assertEquals(4, out.checks(), "no more reads than talkreel.gpu.handoff.tries");

        VramHandoff.Wait blind = VramHandoff.await(readings(null, 30L), 25 * GB, 10, 1, true);
        assertFalse(blind.enough());
        assertNull(blind.lastFree());
        assertEquals(1, blind.checks(), "nothing to wait for when the device cannot be read");

        VramHandoff.Wait settling = VramHandoff.await(readings(null, null, 30L), 25 * GB, 10, 1, false);
        assertTrue(settling.enough(), "after a restart an unreadable device is waited out");
        assertEquals(3, settling.checks());
    }

    @Test
    void theFailureNamesWhatStillHoldsTheMemory() {
        Map<String, VramHolder.Answer> answers = Map.of(
                "ComfyUI", new VramHolder.Answer(VramHolder.Outcome.FAILED, "POST /free answered HTTP 500"),
                "vibevoice-api", new VramHolder.Answer(VramHolder.Outcome.HELD_NOTHING, "POST /api/models/x/unload"));
        List<String> holding = VramHandoff.stillHolding("vibevoice", answers, ALL);
        assertEquals(List.of("ComfyUI (did not let go: POST /free answered HTTP 500)",
                "infinitetalk-api (cannot be asked to let go: it keeps its models after each call)"), holding);
        String message = VramHandoff.timeoutMessage("voice", new VramHandoff.Need("vibevoice", "vibevoice-api", 18 * GB, 900_000),
                new VramHandoff.Wait(false, 10, 10 * GB, 150_000), new VramHandoff.Settings(true, 15_000, 10, 0), holding);
        assertEquals("the GPU still had only 10.0 GB free, not the 18.0 GB step voice needs "
                + "(talkreel.vibevoice.vram-required-gb), after 10 checks 15000 ms apart (talkreel.gpu.handoff.tries, "
                + ".interval-ms); still holding GPU memory: ComfyUI (did not let go: POST /free answered HTTP 500), "
                + "infinitetalk-api (cannot be asked to let go: it keeps its models after each call)", message);
        assertTrue(VramHandoff.stillHolding("infinitetalk", Map.of(), ALL).isEmpty(),
                "its own service is not in the way of its step");
    }

    /** Free memory readings in GB, one per read (null: unreadable); the last one repeats. */
    private static Supplier<Long> readings(Long... gb) {
        List<Long> values = Arrays.asList(gb);
        AtomicInteger next = new AtomicInteger();
        return () -> {
            Long v = values.get(Math.min(next.getAndIncrement(), values.size() - 1));
            return v == null ? null : v * GB;
        };
    }
}
