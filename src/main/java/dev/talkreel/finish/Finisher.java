package dev.talkreel.finish;

import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.SharedVolume;
import dev.talkreel.media.Ffmpeg;
import dev.talkreel.media.Loudness;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The finish step's work (routes/step-finish.camel.yaml), as the bean {@code finisher}: the loudness of the raw
 * video measured (loudnorm's first pass), then one ffmpeg pass that fits the picture to the job's output profile,
 * burns in the caption cues of captions.json (when there are any), applies the measured gain and encodes final.mp4.
 * A failing ffmpeg is an IOException: retried like any step (talkreel.finish.retry.*).
 */
public final class Finisher {
    /** What the step reads (the raw video) and leaves in the job folder. */
    public static final String SOURCE = "video.mp4";
    static final String TARGET = "final.mp4";

    private final SharedVolume volume;
    private final OutputProfiles profiles;
    private final Settings settings;

    /**
     * The finishing settings (talkreel.output.fill, talkreel.finish.*); {@code nice} is the final encode's CPU
     * priority (0-19).
     */
    public record Settings(Loudness.Target loudness, FinishGraph.Fill fill, FinishGraph.Encoding encoding,
                           double videoSeconds, Duration timeout, int nice) {
        public Settings {
            if (nice < 0 || nice > 19) {
                throw new IllegalArgumentException("talkreel.finish.nice must be 0-19, not " + nice);
            }
        }
    }

    public Finisher(SharedVolume volume, OutputProfiles profiles, Settings settings) {
        this.volume = volume;
        this.profiles = profiles;
        this.settings = settings;
    }

    /** The first pass: the raw video's loudness, as facts (the body the second pass takes). */
    public Map<String, Object> measureLoudness(String jobId) throws IOException {
        return Loudness.measure(volume.jobDir(jobId), SOURCE, settings.loudness(), settings.timeout()).toFacts();
    }

    /** The second pass: final.mp4 written (atomically) from video.mp4, with what it was made of as facts. */
    public Map<String, Object> render(String jobId, Map<String, Object> measured) throws IOException {
        Path dir = volume.jobDir(jobId);
        OutputProfile profile = profiles.forJob(jobId);
        MediaInfo.Stream source = MediaProbe.probe(dir.resolve(SOURCE)).video();
        if (source == null) {
            throw new IOException(SOURCE + " has no picture to finish");
        }
        int width = profile.nativeSize() ? source.width() : profile.width();
        int height = profile.nativeSize() ? source.height() : profile.height();
        List<CaptionCues.Cue> cues = CaptionCues.read(dir).cues();
        int frames = (int) Math.round(settings.videoSeconds() * FinishGraph.FPS);
        Path target = dir.resolve(TARGET);
        dropLeftovers(dir);
        Path tmp = AtomicFiles.temp(target);
        long began = System.nanoTime();
        try {
            Ffmpeg.runIn(dir, settings.timeout(), FinishGraph.arguments(SOURCE, width, height, settings.fill(), cues,
                    Loudness.fromFacts(measured).secondPassFilter(settings.loudness()), frames, settings.encoding(),
                    tmp.getFileName().toString()), settings.nice());
            AtomicFiles.moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("profile", profile.name());
        facts.put("source_size", source.width() + "x" + source.height());
        facts.put("fill", profile.nativeSize() || aspectMatches(source, width, height) ? "none"
                : settings.fill().name().toLowerCase(Locale.ROOT));
        facts.put("caption_cues", cues.size());
        facts.put("target_lufs", settings.loudness().integrated());
        facts.put("render_ms", (System.nanoTime() - began) / 1_000_000);
        return facts;
    }

    /** Half-written encodes of a run cut off by a restart (kill -9 leaves its temporary file): not kept. */
    private static void dropLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "." + TARGET + ".*.part")) {
            for (Path part : parts) {
                Files.deleteIfExists(part);
            }
        }
    }

    private static boolean aspectMatches(MediaInfo.Stream source, int width, int height) {
        return Math.abs((double) source.width() / source.height() - (double) width / height) < 0.01;
    }
}
