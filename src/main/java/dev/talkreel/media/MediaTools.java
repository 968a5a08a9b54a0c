package dev.talkreel.media;

import dev.talkreel.files.SharedVolume;
import dev.talkreel.pipeline.StepFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Media helpers a step declared in YAML calls as the bean {@code mediaTools}: plain values in (the job id, arguments
 * from a setting), plain results out, failures as step failures that say why. Example: the poster step,
 * examples/routes/poster.camel.yaml; the reference is examples/README.md.
 */
public final class MediaTools {
    private final SharedVolume volume;

    public MediaTools(SharedVolume volume) {
        this.volume = volume;
    }

    /**
     * Runs ffmpeg in the job's folder: {@code args} is one string, split at spaces (e.g. a setting
     * {@code -ss 1 -i video.mp4 -frames:v 1 poster.jpg}). Files are named relative to the job folder; an absolute
     * path, a {@code ..} or a URL is refused, so a step reads and writes its own job's files only. Stopped after
     * {@code timeoutMs}; a non-zero exit fails the step with the tail of ffmpeg's own error text (not retried: the
     * same input fails the same way).
     */
    public void ffmpeg(String jobId, String args, long timeoutMs) throws IOException {
        List<String> list = Arrays.stream(args.trim().split("\\s+")).filter(a -> !a.isEmpty()).toList();
        for (String arg : list) {
            if (arg.startsWith("/") || arg.contains("..") || arg.contains("://") || arg.contains("\\")) {
                throw new StepFailedException("ffmpeg argument '" + arg + "' leaves the job folder: name files "
                        + "relative to it (video.mp4, poster.jpg)");
            }
        }
        try {
            Ffmpeg.runIn(volume.jobDir(jobId), Duration.ofMillis(timeoutMs), list);
        } catch (IOException e) {
            throw new StepFailedException(e.getMessage());
        }
    }

    /**
     * What ffprobe says about {@code file} in the job's folder: bytes, duration, and the first picture's width,
     * height and codec, or the first sound's codec and sample rate. Fails the step when it is missing, empty or not
     * readable media.
     */
    public Map<String, Object> probe(String jobId, String file) throws IOException {
        Path path = volume.jobDir(jobId).resolve(file).normalize();
        if (!path.startsWith(volume.jobDir(jobId)) || !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                || Files.size(path) == 0) {
            throw new StepFailedException(file + " is missing or empty in the job folder");
        }
        MediaInfo info = MediaChecks.probe(path, file);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("bytes", Files.size(path));
        facts.put("duration_seconds", info.durationSeconds());
        if (info.video() != null) {
            facts.put("codec", info.video().codecName());
            facts.put("width", info.video().width());
            facts.put("height", info.video().height());
        } else if (info.audio() != null) {
            facts.put("codec", info.audio().codecName());
            facts.put("sample_rate", info.audio().sampleRate());
        }
        return facts;
    }
}
