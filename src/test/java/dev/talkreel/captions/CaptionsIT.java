package dev.talkreel.captions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole jobs through the stack (emulators, the YAML routes, real ffmpeg): the captions step leaves captions.json, its
 * pictures, an SRT that parses and covers the speech (checked against the voice's own samples, not against the
 * detector), and a VTT; a job with captions off gets no cue and no subtitle files.
 */
class CaptionsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final String SCRIPT = "Hello and welcome, friends. Today we try captions that follow the voice. "
            + "Stay with us!";
    /** -35 dBFS, the detector's default threshold, as a 16-bit sample. */
    private static final int LOUD = (int) Math.round(32768 * Math.pow(10, -35 / 20.0));
    private static final Pattern SRT_CUE = Pattern.compile(
            "(\\d+)\\n(\\d\\d):(\\d\\d):(\\d\\d),(\\d{3}) --> (\\d\\d):(\\d\\d):(\\d\\d),(\\d{3})\\n((?:.+\\n)+)\\n");

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());

    @Test
    void aShortsJobGetsCaptionsTimedToItsSpeech() throws Exception {
        String id = talkreel.client().submit("{\"youtube_url\": \"" + URL + "\", \"script\": \"" + SCRIPT
                + "\", \"output_profile\": \"shorts\"}");
        JsonNode step = captionsStep(id);
        Path json = JobClient.waitForFile(talkreel.shared().resolve(step.path("artifact").asText()), DEADLINE);
        Path folder = json.getParent();
        JsonNode captions = JobClient.JSON.readTree(json.toFile());
        assertEquals(1080, captions.path("width").asInt());
        assertEquals(1920, captions.path("height").asInt());
        JsonNode cues = captions.path("cues");
        assertEquals(3, cues.size(), captions.toString());
        assertEquals(3, step.path("details").path("cues").asInt(), step.toString());

        List<double[]> srt = parseSrt(Files.readString(folder.resolve("captions.srt")), SCRIPT);
        assertEquals(cues.size(), srt.size());
        double[] sound = soundingSpan(folder.resolve("voice-8s.wav"));
        assertTrue(Math.abs(srt.get(0)[0] - sound[0]) <= 0.3, "first cue at " + srt.get(0)[0] + ", speech at "
                + sound[0]);
        for (int i = 0; i < srt.size(); i++) {
            assertTrue(srt.get(i)[1] <= sound[1] + 0.02, "cue " + (i + 1) + " ends after the speech: " + sound[1]);
            assertTrue(srt.get(i)[1] > srt.get(i)[0]);
            assertEquals(cues.get(i).path("start").asDouble(), srt.get(i)[0], 0.0005);
            BufferedImage image = ImageIO.read(folder.resolve(cues.get(i).path("image").asText()).toFile());
            assertEquals(1080, image.getWidth());
            assertEquals(1920, image.getHeight());
            assertTrue(image.getColorModel().hasAlpha());
        }
        String vtt = Files.readString(folder.resolve("captions.vtt"));
        assertTrue(vtt.startsWith("WEBVTT\n\n"), vtt);
        assertEquals(srt.size(), vtt.split(" --> ", -1).length - 1, vtt);
    }

    @Test
    void aJobWithCaptionsOffGetsNoCueAndNoSubtitleFiles() throws Exception {
        String id = talkreel.client().submit("{\"youtube_url\": \"" + URL + "\", \"script\": \"" + SCRIPT
                + "\", \"captions\": false, \"output_profile\": \"landscape\"}");
        JsonNode step = captionsStep(id);
        Path json = JobClient.waitForFile(talkreel.shared().resolve(step.path("artifact").asText()), DEADLINE);
        JsonNode captions = JobClient.JSON.readTree(json.toFile());
        assertEquals(0, captions.path("cues").size(), captions.toString());
        // landscape keeps the video's own size: the pictures would be drawn at its portrait's, 1024x576
        assertEquals(1024, captions.path("width").asInt());
        assertEquals(576, captions.path("height").asInt());
        assertFalse(Files.exists(json.resolveSibling("captions.srt")));
        assertFalse(Files.exists(json.resolveSibling("captions.vtt")));
    }

    /** The captions step of the job's result message, once the job is done. */
    private static JsonNode captionsStep(String id) throws Exception {
        JsonNode end = talkreel.client().waitForEnd(id, DEADLINE);
        assertEquals("done", end.path("status").asText(), end.toString());
        Path result = JobClient.waitForFile(talkreel.shared().resolve("outbox/" + id + ".json"), DEADLINE);
        JsonNode step = JobClient.JSON.readTree(result.toFile()).path("steps").path("captions");
        assertTrue(step.path("artifact").asText().endsWith(id + "/captions.json"), step.toString());
        return step;
    }

    /** Each cue's start and end in seconds; the numbering runs 1, 2, 3... and the texts put together are the script. */
    private static List<double[]> parseSrt(String srt, String script) {
        List<double[]> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        Matcher m = SRT_CUE.matcher(srt);
        int end = 0;
        while (m.find() && m.start() == end) {
            assertEquals(out.size() + 1, Integer.parseInt(m.group(1)));
            out.add(new double[] {seconds(m, 2), seconds(m, 6)});
            text.append(text.isEmpty() ? "" : " ").append(m.group(10).strip().replace('\n', ' '));
            end = m.end();
        }
        assertEquals(srt.length(), end, "the whole SRT parses: " + srt);
        assertEquals(script, text.toString());
        return out;
    }

    private static double seconds(Matcher m, int group) {
        return Integer.parseInt(m.group(group)) * 3600 + Integer.parseInt(m.group(group + 1)) * 60
                + Integer.parseInt(m.group(group + 2)) + Integer.parseInt(m.group(group + 3)) / 1000.0;
    }

    /** From the first to the last sample above -35 dBFS, read from the WAV itself (16-bit mono PCM). */
    private static double[] soundingSpan(Path wav) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            AudioFormat format = in.getFormat();
            assertEquals(16, format.getSampleSizeInBits());
            assertEquals(1, format.getChannels());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            ByteBuffer samples = ByteBuffer.wrap(bytes.toByteArray())
                    .order(format.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            int first = -1;
            int last = -1;
            for (int i = 0; samples.remaining() >= 2; i++) {
                if (Math.abs(samples.getShort()) > LOUD) {
                    first = first < 0 ? i : first;
                    last = i;
                }
            }
            assertTrue(first >= 0, "the voice has sound");
            return new double[] {first / format.getSampleRate(), last / format.getSampleRate()};
        }
    }
}
