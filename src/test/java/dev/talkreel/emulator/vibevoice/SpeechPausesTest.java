package dev.talkreel.emulator.vibevoice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.captions.Cue;
import dev.talkreel.captions.CueSplitter;
import dev.talkreel.captions.CueTimer;
import dev.talkreel.captions.PauseDetector;
import dev.talkreel.captions.SpokenAudio;
import dev.talkreel.media.Ffmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulator's speech pauses like real TTS, and caption timing finds it: real ffmpeg on the emulator's WAV, padded
 * to 8 s as the voice step pads it. The emulator's own word layout is the truth the detected speech is checked
 * against.
 */
class SpeechPausesTest {
    private static final String SCRIPT = "Hello and welcome, friends. Today we try something new: captions that "
            + "follow the voice. Stay with us!";

    @TempDir
    Path dir;

    @Test
    void captionsAreTimedToTheSpeechTheEmulatorSays() throws Exception {
        String[] words = SCRIPT.split(" ");
        Speech speech = Speech.say(SCRIPT, 1.0, "wav");
        assertEquals(words.length / Speech.WORDS_PER_SECOND, speech.seconds(), 1e-9, "the rate is unchanged");
        List<Speech.Word> truth = Speech.layout(words, speech.seconds());
        Path raw = Files.write(dir.resolve("voice.wav"), speech.audio());
        Path padded = dir.resolve("voice-8s.wav");
        Ffmpeg.run(Duration.ofSeconds(30), "-i", raw.toString(), "-af", "apad=whole_len=" + 8 * Speech.SAMPLE_RATE,
                "-c:a", "pcm_s16le", padded.toString());

        SpokenAudio heard = new PauseDetector(-35, 0.15, Duration.ofSeconds(30)).detect(padded);
        assertNotNull(heard, "speech detected");
        // silence before the first word and after the last, like real TTS
        assertTrue(truth.get(0).start() >= 0.15, "leading silence " + truth.get(0).start());
        assertEquals(truth.get(0).start(), heard.start(), 0.03);
        assertEquals(truth.get(words.length - 1).end(), heard.end(), 0.03);
        // a pause after each phrase and sentence (welcome, friends. new: voice.), none between the other words
        assertEquals(4, heard.pauses().size(), heard.toString());
        for (int after : new int[] {2, 3, 8, 13}) {
            double gap = truth.get(after + 1).start() - truth.get(after).end();
            assertTrue(heard.pauses().stream().anyMatch(p -> Math.abs(p.end() - truth.get(after + 1).start()) < 0.03),
                    "pause of " + gap + " s after " + words[after] + " in " + heard.pauses());
        }

        List<List<String>> texts = new CueSplitter(32, 2).split(SCRIPT);
        List<Cue> cues = new CueTimer(0.4).time(texts, heard);
        assertEquals(3, cues.size(), cues.toString());
        assertTrue(Math.abs(cues.get(0).start() - heard.start()) <= 0.3, "first cue starts with the speech");
        for (Cue c : cues) {
            assertTrue(c.end() <= heard.end() + 1e-9, c + " ends after the speech " + heard.end());
        }
        // each later cue appears as its first word is heard
        int first = 0;
        for (int i = 0; i < cues.size(); i++) {
            assertEquals(truth.get(first).start(), cues.get(i).start(), 0.05, "cue " + (i + 1) + " " + cues.get(i));
            first += String.join(" ", texts.get(i)).split(" ").length;
        }
    }
}
