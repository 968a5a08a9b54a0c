package dev.talkreel.captions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SubtitleFilesTest {
    private final List<Cue> cues = List.of(new Cue(0.42, 2.1, List.of("Hello there,", "friend.")),
            new Cue(2.1, 3661.0055, List.of("A long --> hour.")));

    @Test
    void srtNumbersItsCuesWithCommaMilliseconds() {
        assertEquals("""
                1
                00:00:00,420 --> 00:00:02,100
                Hello there,
                friend.

                2
                00:00:02,100 --> 01:01:01,006
                A long --> hour.

                """, SubtitleFiles.srt(cues));
    }

    @Test
    void vttHasItsHeaderAndDotMilliseconds() {
        assertEquals("""
                WEBVTT

                00:00:00.420 --> 00:00:02.100
                Hello there,
                friend.

                00:00:02.100 --> 01:01:01.006
                A long -> hour.

                """, SubtitleFiles.vtt(cues));
    }

    @Test
    void noCuesIsAnEmptySrtAndABareVtt() {
        assertEquals("", SubtitleFiles.srt(List.of()));
        assertEquals("WEBVTT\n\n", SubtitleFiles.vtt(List.of()));
    }
}
