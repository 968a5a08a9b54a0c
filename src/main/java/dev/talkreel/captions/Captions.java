package dev.talkreel.captions;

import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.SharedVolume;
import dev.talkreel.finish.OutputProfile;
import dev.talkreel.finish.OutputProfiles;
import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.StepFailedException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The captions step's work, as the bean {@code captions} (routes/step-captions.camel.yaml). It leaves in the job
 * folder what the finishing step burns in and delivers: {@code captions.json} (the frame size and each cue's times,
 * text and picture), {@code captions/cue-NNN.png} (full-frame transparent pictures), {@code captions.srt} and
 * {@code captions.vtt}. With captions off, captions.json lists no cue and there is no .srt or .vtt.
 */
public final class Captions {
    public static final String FILE = "captions.json";
    static final String FOLDER = "captions";

    private final JobStore jobs;
    private final SharedVolume volume;
    private final OutputProfiles profiles;
    private final CaptionSettings settings;
    private final CueSplitter splitter;
    private final PauseDetector pauses;
    private final CueTimer timer;
    private final CaptionPainter painter;

    public Captions(JobStore jobs, SharedVolume volume, OutputProfiles profiles, CaptionSettings settings) {
        this.jobs = jobs;
        this.volume = volume;
        this.profiles = profiles;
        this.settings = settings;
        this.splitter = new CueSplitter(settings.maxLineChars(), settings.maxLines());
        this.pauses = new PauseDetector(settings.silenceNoiseDb(), settings.minPauseSeconds(),
                Duration.ofMillis(settings.ffmpegTimeoutMs()));
        this.timer = new CueTimer(settings.snapSeconds());
        // the font is read at start: a jar without it refuses to start rather than fail every job's captions
        this.painter = new CaptionPainter(settings.fontSizeShare());
    }

    /** Whether the job gets captions: its own {@code captions}, else talkreel.captions.enabled. */
    public boolean wanted(String jobId) {
        JobRequest in = jobs.get(jobId).input;
        return in.captions == null ? settings.enabled() : in.captions;
    }

    /** No captions for the job: a captions.json without cues; a .srt or .vtt of an earlier run is removed. */
    public Map<String, Object> none(String jobId) throws IOException {
        Path dir = volume.jobDir(jobId);
        int[] size = frame(jobId);
        clear(dir);
        return write(dir, size, List.of(), facts(size, List.of()));
    }

    /**
     * Captions for the job: the script cut into cues, timed to the pauses in {@code voiceFile} (in the job folder),
     * each drawn at the job's output size; the facts (cue count, speech start and end, font size) returned for the
     * result message.
     */
    public Map<String, Object> make(String jobId, String voiceFile) throws IOException {
        Path dir = volume.jobDir(jobId);
        int[] size = frame(jobId);
        List<List<String>> texts = splitter.split(jobs.get(jobId).input.script);
        SpokenAudio speech = pauses.detect(dir.resolve(voiceFile));
        if (speech == null) {
            throw new StepFailedException(String.format(Locale.ROOT, "%s has no sound above %.0f dB: no speech to "
                    + "time the captions to (talkreel.captions.silence-noise-db)", voiceFile, settings.silenceNoiseDb()));
        }
        List<Cue> cues = timer.time(texts, speech);
        clear(dir);
        float fontSize = painter.fontSize(cues, size[0], size[1]);
        for (int i = 0; i < cues.size(); i++) {
            BufferedImage image = painter.paint(cues.get(i).lines(), size[0], size[1], fontSize);
            AtomicFiles.write(dir.resolve(image(i)), out -> ImageIO.write(image, "png", out));
        }
        text(dir.resolve("captions.srt"), SubtitleFiles.srt(cues));
        text(dir.resolve("captions.vtt"), SubtitleFiles.vtt(cues));
        Map<String, Object> facts = facts(size, cues);
        facts.put("speech_start_seconds", speech.start());
        facts.put("speech_end_seconds", speech.end());
        facts.put("pauses", speech.pauses().size());
        facts.put("font_size", fontSize);
        return write(dir, size, cues, facts);
    }

    /** The frame captions are drawn for: the profile's size, or its portrait's when the video keeps its own. */
    private int[] frame(String jobId) {
        OutputProfile p = profiles.forJob(jobId);
        return p.nativeSize() ? new int[] {p.portraitWidth(), p.portraitHeight()} : new int[] {p.width(), p.height()};
    }

    /** captions.json last: it is the step's artifact, so it appears only once the pictures and texts are there. */
    private static Map<String, Object> write(Path dir, int[] size, List<Cue> cues, Map<String, Object> facts)
            throws IOException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < cues.size(); i++) {
            Cue c = cues.get(i);
            Map<String, Object> cue = new LinkedHashMap<>();
            cue.put("start", c.start());
            cue.put("end", c.end());
            cue.put("text", c.text());
            cue.put("image", image(i));
            list.add(cue);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("width", size[0]);
        json.put("height", size[1]);
        json.put("cues", list);
        AtomicFiles.writeJson(dir.resolve(FILE), json);
        return facts;
    }

    private static Map<String, Object> facts(int[] size, List<Cue> cues) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("cues", cues.size());
        facts.put("width", size[0]);
        facts.put("height", size[1]);
        return facts;
    }

    static String image(int index) {
        return String.format(Locale.ROOT, "%s/cue-%03d.png", FOLDER, index + 1);
    }

    private static void text(Path target, String content) throws IOException {
        AtomicFiles.write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    /** What an earlier run left: its pictures (it may have had more cues), its .srt and .vtt. */
    private static void clear(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve("captions.srt"));
        Files.deleteIfExists(dir.resolve("captions.vtt"));
        Path folder = dir.resolve(FOLDER);
        if (Files.isDirectory(folder)) {
            try (var files = Files.list(folder)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
