package dev.talkreel.finish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.media.Ffmpeg;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The finishing steps on the real pipeline (emulators, real ffmpeg), measured on the files they deliver: one job per
 * output profile, and a shorts job with a hand-made captions.json (one opaque cue) whose first finish fails on a
 * missing cue picture and is retried. Everything is measured with ffprobe/ffmpeg or read byte by byte, not taken from
 * talkreel's own facts.
 */
class FinishIT {
    private static final Duration DEADLINE = Duration.ofMinutes(6);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final String SCRIPT = "Finished for the platform it is posted on.";
    /** The cue's opaque box in the 1080x1920 frame, and its time. */
    private static final int BOX_X = 140;
    private static final int BOX_Y = 1450;
    private static final int BOX_W = 800;
    private static final int BOX_H = 180;
    private static final double CUE_START = 0.5;
    private static final double CUE_END = 2.5;

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());

    /** Profile (or "captioned") to the job's id. */
    private static final Map<String, String> JOBS = new LinkedHashMap<>();
    private static JsonNode captionedFailure;

    @BeforeAll
    static void finishOneJobPerProfileAndOneCaptioned() throws Exception {
        JobClient client = talkreel.client();
        // the video takes a while, so the hand-made captions below land after the captions step and before finish
        talkreel.emulators().infinitetalk.behaviour().latency("generate", Duration.ofSeconds(6));
        for (String profile : List.of("landscape", "shorts", "square")) {
            JOBS.put(profile, client.submit(job(profile)));
        }
        String captioned = client.submit(job("shorts"));
        JOBS.put("captioned", captioned);
        // the captions step's contract, by hand, once the step has left its own (no cues: the jobs ask for none): the
        // cue picture is missing at first, so finish fails
        client.waitFor(captioned, j -> "done".equals(j.path("steps").path("captions").path("state").asText()),
                DEADLINE);
        Path dir = JobClient.jobFolder(talkreel.shared(), captioned);
        writeAtomically(dir.resolve("captions.json"), ("{\"width\": 1080, \"height\": 1920, \"cues\": [{\"start\": "
                + CUE_START + ", \"end\": " + CUE_END + ", \"text\": \"Finished.\", \"image\": \"captions/cue-001.png\"}]}")
                .getBytes(StandardCharsets.UTF_8));
        writeAtomically(dir.resolve("captions.srt"), "1\n00:00:00,500 --> 00:00:02,500\nFinished.\n\n"
                .getBytes(StandardCharsets.UTF_8));
        writeAtomically(dir.resolve("captions.vtt"), "WEBVTT\n\n00:00.500 --> 00:02.500\nFinished.\n\n"
                .getBytes(StandardCharsets.UTF_8));
        captionedFailure = client.waitForEnd(captioned, DEADLINE);
        Files.createDirectories(dir.resolve("captions"));
        writeAtomically(dir.resolve("captions/cue-001.png"), cuePicture());
        HttpResponse<String> retried = client.action("POST", captioned + "/retry");
        assertEquals(202, retried.statusCode(), retried.body());
        for (String id : JOBS.values()) {
            JsonNode end = client.waitForEnd(id, DEADLINE);
            assertEquals("done", end.path("status").asText(), end.toString());
        }
    }

    @Test
    void eachProfileHasItsFrameTwoHundredFramesEightSecondsAndTheDeliveryFormat() throws Exception {
        Map<String, String> sizes = Map.of("landscape", "896x448", "shorts", "1080x1920", "square", "1080x1080",
                "captioned", "1080x1920");
        for (Map.Entry<String, String> job : JOBS.entrySet()) {
            Path video = delivered(job.getValue(), ".mp4");
            MediaInfo info = MediaProbe.probe(video, true);
            MediaInfo.Stream v = info.video();
            MediaInfo.Stream a = info.audio();
            String what = job.getKey() + ": " + info;
            assertEquals(sizes.get(job.getKey()), v.width() + "x" + v.height(), what);
            assertEquals(200, v.frames(), what);
            assertEquals(8.000, info.durationSeconds(), 0.0005, what);
            assertEquals(8.000, v.durationSeconds(), 0.0005, what);
            assertEquals(25.0, v.frameRate(), 1e-9, what);
            assertEquals("h264", v.codecName(), what);
            assertEquals("High", v.profile(), what);
            assertEquals("yuv420p", v.pixFmt(), what);
            assertEquals("aac", a.codecName(), what);
            assertEquals(48000, a.sampleRate(), what);
            assertEquals(2, a.channels(), what);
            assertEquals(0.0, v.startSeconds(), 1e-6, what);
            assertEquals(0.0, a.startSeconds(), 1e-6, what);
        }
    }

    @Test
    void theSoundIsWithinOneLuOfMinus14LufsWithItsTruePeakAtMostMinusOneDbtp() throws Exception {
        for (Map.Entry<String, String> job : JOBS.entrySet()) {
            double[] loudness = ebur128(delivered(job.getValue(), ".mp4"));
            assertEquals(-14.0, loudness[0], 1.0, job.getKey() + " integrated loudness");
            assertTrue(loudness[1] <= -1.0, job.getKey() + " true peak " + loudness[1] + " dBTP");
        }
    }

    @Test
    void theIndexComesBeforeTheMediaSoTheVideoPlaysWhileItDownloads() throws Exception {
        for (Map.Entry<String, String> job : JOBS.entrySet()) {
            List<String> boxes = topLevelBoxes(delivered(job.getValue(), ".mp4"));
            assertTrue(boxes.contains("moov") && boxes.contains("mdat")
                    && boxes.indexOf("moov") < boxes.indexOf("mdat"), job.getKey() + ": " + boxes);
        }
    }

    @Test
    void theCaptionCueIsBurnedInWhereAndWhenItSays() throws Exception {
        Path plain = delivered(JOBS.get("shorts"), ".mp4");
        Path captioned = delivered(JOBS.get("captioned"), ".mp4");
        BufferedImage plainDuring = frame(plain, 1.5);
        BufferedImage captionedDuring = frame(captioned, 1.5);
        double inBox = difference(plainDuring, captionedDuring, BOX_X, BOX_Y, BOX_W, BOX_H);
        double above = difference(plainDuring, captionedDuring, BOX_X, 200, BOX_W, BOX_H);
        double inBoxAfter = difference(frame(plain, 5.0), frame(captioned, 5.0), BOX_X, BOX_Y, BOX_W, BOX_H);
        assertTrue(inBox > 40, "the cue shows during its time: mean difference " + inBox);
        assertTrue(above < 4, "the rest of the picture is the same: mean difference " + above);
        assertTrue(inBoxAfter < 4, "the cue is gone after its end: mean difference " + inBoxAfter);
    }

    @Test
    void aFinishThatFailedIsRetriedWithoutRenderingAgainAndTheResultListsEveryDeliveredFile() throws Exception {
        assertEquals("failed", captionedFailure.path("status").asText(), captionedFailure.toString());
        assertEquals("finish", captionedFailure.path("current_step").asText());
        JsonNode error = captionedFailure.path("steps").path("finish").path("error");
        assertTrue(error.path("message").asText().contains("captions/cue-001.png"), error.toString());
        String id = JOBS.get("captioned");
        JsonNode done = talkreel.client().job(id);
        assertEquals(2, done.path("steps").path("finish").path("attempt").asInt(), done.toString());
        // the video was not rendered again: the same first attempt, ended when it ended before the failure
        assertEquals(1, done.path("steps").path("video").path("attempt").asInt(), done.toString());
        assertEquals(captionedFailure.path("steps").path("video").path("ended").asText(),
                done.path("steps").path("video").path("ended").asText());

        JsonNode result = JobClient.JSON.readTree(delivered(id, ".json").toFile());
        Map<String, Long> listed = new LinkedHashMap<>();
        result.path("delivered").forEach(f -> listed.put(f.path("path").asText(), f.path("bytes").asLong()));
        for (String ext : List.of(".mp4", ".jpg", ".srt", ".vtt")) {
            Path file = delivered(id, ext);
            assertEquals(Files.size(file), listed.get("outbox/" + id + ext), ext + " in " + listed);
        }
        assertEquals(1, result.path("video").path("caption_cues").asInt(), result.path("video").toString());
        // the poster is a JPEG frame of the finished video, at its size
        Path poster = delivered(id, ".jpg");
        MediaInfo info = MediaProbe.probe(poster);
        assertEquals("mjpeg", info.video().codecName());
        assertEquals("1080x1920", info.video().width() + "x" + info.video().height());
        // the uncaptioned jobs deliver no captions
        assertTrue(Files.notExists(talkreel.shared().resolve("outbox/" + JOBS.get("shorts") + ".srt")));
    }

    private static String job(String profile) {
        return "{\"youtube_url\": \"" + URL + "\", \"script\": \"" + SCRIPT + "\", \"seed\": 7, \"captions\": false, "
                + "\"output_profile\": \"" + profile + "\"}";
    }

    private static Path delivered(String id, String extension) {
        return JobClient.waitForFile(talkreel.shared().resolve("outbox/" + id + extension), DEADLINE);
    }

    /** A full-frame transparent cue with one opaque yellow box, as the captions step would draw text. */
    private static byte[] cuePicture() throws IOException {
        BufferedImage cue = new BufferedImage(1080, 1920, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = cue.createGraphics();
        g.setColor(Color.YELLOW);
        g.fillRect(BOX_X, BOX_Y, BOX_W, BOX_H);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(cue, "png", out);
        return out.toByteArray();
    }

    /** Whole or not at all, as the captions step writes (the project's own atomic write, replacing). */
    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        AtomicFiles.copy(new ByteArrayInputStream(bytes), target);
    }

    /** The frame at {@code seconds}, decoded by ffmpeg. */
    private static BufferedImage frame(Path video, double seconds) throws IOException {
        Path png = Files.createTempFile("frame", ".png");
        try {
            Ffmpeg.run(Duration.ofMinutes(1), "-ss", String.valueOf(seconds), "-i", video.toString(), "-frames:v", "1",
                    "-f", "image2", "-c:v", "png", png.toString());
            return ImageIO.read(png.toFile());
        } finally {
            Files.deleteIfExists(png);
        }
    }

    /** Mean absolute difference of the RGB channels of two frames in a rectangle, 0-255. */
    private static double difference(BufferedImage a, BufferedImage b, int x, int y, int w, int h) {
        long sum = 0;
        for (int j = y; j < y + h; j++) {
            for (int i = x; i < x + w; i++) {
                int p = a.getRGB(i, j);
                int q = b.getRGB(i, j);
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs(((p >> shift) & 0xFF) - ((q >> shift) & 0xFF));
                }
            }
        }
        return sum / (3.0 * w * h);
    }

    /** Integrated loudness (LUFS) and true peak (dBTP), as ffmpeg's ebur128 filter measures them. */
    private static double[] ebur128(Path video) throws IOException {
        String log = Ffmpeg.report(null, Duration.ofMinutes(1), List.of("-i", video.toString(), "-vn", "-af",
                "ebur128=peak=true", "-f", "null", "-"));
        String summary = log.substring(log.lastIndexOf("Summary:"));
        return new double[] {number(summary, "I:\\s+(-?[0-9.]+) LUFS"), number(summary, "Peak:\\s+(-?[0-9.]+) dBFS")};
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Double.parseDouble(m.group(1));
    }

    /** The top-level MP4 boxes, read here byte by byte (size, type; 64-bit sizes too). */
    private static List<String> topLevelBoxes(Path file) throws IOException {
        List<String> boxes = new ArrayList<>();
        long length = Files.size(file);
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            long at = 0;
            while (at + 8 <= length) {
                long size = Integer.toUnsignedLong(in.readInt());
                byte[] type = in.readNBytes(4);
                boxes.add(new String(type, StandardCharsets.ISO_8859_1));
                long header = 8;
                if (size == 1) {
                    size = in.readLong();
                    header = 16;
                }
                assertTrue(size >= header, "box " + boxes + " of " + size + " bytes");
                in.skipNBytes(size - header);
                at += size;
            }
        }
        return boxes;
    }
}
