package dev.talkreel.captions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Timing on synthetic pause lists (as silencedetect would report them). */
class CueTimerTest {
    private static final double MS = 0.0005;
    private final CueTimer timer = new CueTimer(0.4);

    @Test
    void leadingAndTrailingSilenceAreOutsideTheSpeech() {
        SpokenAudio s = SpokenAudio.of(List.of(new Pause(0, 0.3), new Pause(2.0, 2.4), new Pause(5.1, 8.0)), 8.0);
        assertEquals(0.3, s.start(), MS);
        assertEquals(5.1, s.end(), MS);
        assertEquals(List.of(new Pause(2.0, 2.4)), s.pauses());
        assertNull(SpokenAudio.of(List.of(new Pause(0, 8.0)), 8.0), "silent throughout");
    }

    @Test
    void cuesShareTheSoundingTimeByCharactersLeavingPausesOut() {
        // 1 s of sound, a 1 s pause, 1 s of sound; two cues of 10 and 30 characters, no pause near the change
        SpokenAudio s = new SpokenAudio(1.0, 4.0, List.of(new Pause(2.0, 3.0)));
        List<Cue> cues = new CueTimer(0.1).time(List.of(List.of("x".repeat(10)), List.of("y".repeat(30))), s);
        assertEquals(1.0, cues.get(0).start(), MS);
        // a quarter of 2 s of sound is 0.5 s: 1.5 s into the file
        assertEquals(1.5, cues.get(0).end(), MS);
        assertEquals(1.5, cues.get(1).start(), MS);
        assertEquals(4.0, cues.get(1).end(), MS);
    }

    @Test
    void aChangeNearAPauseMovesToWhereTheSpeechResumes() {
        // two phrases of equal length, a pause a little after the middle of the sound
        SpokenAudio s = new SpokenAudio(0.2, 4.4, List.of(new Pause(2.3, 2.6)));
        List<Cue> cues = timer.time(List.of(List.of("first phrase,"), List.of("second one.")), s);
        assertEquals(0.2, cues.get(0).start(), MS);
        assertEquals(2.6, cues.get(0).end(), MS);
        assertEquals(2.6, cues.get(1).start(), MS);
        assertEquals(4.4, cues.get(1).end(), MS);
    }

    @Test
    void aPauseFarFromAnyChangeIsLeftAloneAndEachPauseServesOneChange() {
        SpokenAudio s = new SpokenAudio(0.0, 6.0, List.of(new Pause(0.5, 0.7), new Pause(3.0, 3.2)));
        List<Cue> cues = timer.time(List.of(List.of("aaaa"), List.of("bbbb"), List.of("cccc")), s);
        // sound 5.6 s: raw changes at 1.867 s of sound (2.067 s) and 3.733 s (4.133 s); 3.0-3.2 is 0.87 s away
        assertEquals(2.067, cues.get(1).start(), 0.002);
        assertEquals(4.133, cues.get(2).start(), 0.002);
        assertContiguousWithin(cues, s);
    }

    @Test
    void aSnapThatWouldLeaveACueTooShortIsNotMade() {
        SpokenAudio s = new SpokenAudio(0.0, 3.0, List.of(new Pause(0.05, 0.15)));
        List<Cue> cues = timer.time(List.of(List.of("a"), List.of("b".repeat(40))), s);
        // the change falls at 1/41 of 2.9 s of sound, 0.171 s: moving it to 0.15 would leave "a" 0.15 s
        assertEquals(0.171, cues.get(0).end(), MS);
        assertContiguousWithin(cues, s);
    }

    @Test
    void silencesAreReadFromAmetadatasPrint() {
        String printed = """
                frame:1    pts:2048    pts_time:0.0853333
                lavfi.silence_start=0
                frame:3    pts:6144    pts_time:0.256
                lavfi.silence_end=0.300083
                lavfi.silence_duration=0.300083
                frame:13   pts:26624   pts_time:1.10933
                lavfi.silence_start=0.999958
                frame:17   pts:34816   pts_time:1.45067
                lavfi.silence_end=1.50008
                lavfi.silence_duration=0.500125
                frame:25   pts:51200   pts_time:2.13333
                lavfi.silence_start=1.99996
                """;
        assertEquals(List.of(new Pause(0, 0.300083), new Pause(0.999958, 1.50008), new Pause(1.99996, 3.0)),
                PauseDetector.silences(printed, 3.0));
    }

    private static void assertContiguousWithin(List<Cue> cues, SpokenAudio s) {
        assertEquals(s.start(), cues.get(0).start(), MS);
        assertEquals(s.end(), cues.get(cues.size() - 1).end(), MS);
        for (int i = 1; i < cues.size(); i++) {
            assertEquals(cues.get(i - 1).end(), cues.get(i).start(), MS);
            assertTrue(cues.get(i).end() > cues.get(i).start(), cues.toString());
        }
    }
}
