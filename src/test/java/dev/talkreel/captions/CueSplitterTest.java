package dev.talkreel.captions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CueSplitterTest {
    private final CueSplitter splitter = new CueSplitter(32, 2);

    @Test
    void eachSentenceThatFitsIsOneCue() {
        assertEquals(List.of(List.of("Hello there."), List.of("I am your new host!"), List.of("Ready?")),
                splitter.split("Hello there.  I am your new host!\nReady?"));
    }

    @Test
    void aSentenceOverOneLineIsBalancedOverTwo() {
        List<List<String>> cues = splitter.split("Welcome to the channel where we talk about small boats.");
        assertEquals(List.of(List.of("Welcome to the channel where", "we talk about small boats.")), cues);
    }

    @Test
    void aLongSentenceIsCutAtItsPhrasesAndShortPhrasesShareACue() {
        List<List<String>> cues = splitter.split("Today, in this very short video, we look at three things you "
                + "can do with a paper clip; the last one will surprise you.");
        assertEquals(List.of(
                List.of("Today, in this very short video,"),
                List.of("we look at three things you", "can do with a paper clip;"),
                List.of("the last one will surprise you.")), cues);
        assertWithinLimits(cues, 32, 2);
    }

    @Test
    void aDashStandingAsAWordEndsAPhrase() {
        List<List<String>> cues = splitter.split("There is one rule that matters more than any other here — "
                + "always check the weather before you go out.");
        assertEquals("There is one rule that matters more than any other here —", String.join(" ", cues.get(0)));
        assertEquals("always check the weather before you go out.", String.join(" ", cues.get(1)));
        assertWithinLimits(cues, 32, 2);
    }

    @Test
    void aPhraseTooLongForOneCueIsCutBetweenWordsAndNoWordIsLost() {
        String script = "the quick brown fox jumps over the lazy dog and then runs far away into the deep dark "
                + "forest never to be seen again by anyone";
        List<List<String>> cues = splitter.split(script);
        assertTrue(cues.size() >= 2, cues.toString());
        assertWithinLimits(cues, 32, 2);
        assertEquals(script, String.join(" ", cues.stream().map(c -> String.join(" ", c)).toList()));
    }

    @Test
    void aWordLongerThanALineStandsAloneOnItsLine() {
        List<List<String>> cues = splitter.split("Supercalifragilisticexpialidocious-and-more is long.");
        assertEquals(List.of(List.of("Supercalifragilisticexpialidocious-and-more", "is long.")), cues);
    }

    @Test
    void otherLimitsAreKept() {
        CueSplitter narrow = new CueSplitter(16, 1);
        List<List<String>> cues = narrow.split("One two three four five six seven eight, nine ten.");
        assertWithinLimits(cues, 16, 1);
        assertEquals("One two three four five six seven eight, nine ten.",
                String.join(" ", cues.stream().map(c -> String.join(" ", c)).toList()));
        assertEquals(List.of(), splitter.split("   "));
    }

    private static void assertWithinLimits(List<List<String>> cues, int chars, int lines) {
        for (List<String> cue : cues) {
            assertTrue(cue.size() <= lines, cue.toString());
            for (String line : cue) {
                assertTrue(line.length() <= chars || !line.contains(" "), "'" + line + "' over " + chars);
            }
        }
    }
}
