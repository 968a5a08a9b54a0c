package dev.talkreel.media;

import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.Pipeline;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.finish.FinishGraph;
import dev.talkreel.finish.Finisher;
import dev.talkreel.finish.OutputProfile;
import dev.talkreel.finish.OutputProfiles;
import dev.talkreel.pipeline.StepFailedException;
import dev.talkreel.service.ServiceReplyException;
import dev.talkreel.pipeline.StepTracker;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.apache.camel.Exchange;

/**
 * Looks at every artifact before it is handed on: a step is done only when what it produced is real media of the
 * expected kind. The voice is also fitted to the video: measured, refused when too long, padded with silence to
 * exactly the video length when shorter.
 */
public final class MediaChecks {
    private static final double VIDEO_TOLERANCE_S = 0.1;
    private final JobStore jobs;
    private final Pipeline pipeline;
    private final double videoSeconds;
    private final OutputProfiles profiles;

    public MediaChecks(JobStore jobs, Pipeline pipeline, double videoSeconds, OutputProfiles profiles) {
        this.jobs = jobs;
        this.pipeline = pipeline;
        this.videoSeconds = videoSeconds;
        this.profiles = profiles;
    }

    /** The voice sample from yttools: audio, and about as long as the segment asked for. */
    public void checkReference(Exchange exchange) throws IOException {
        Path file = artifact(exchange);
        MediaInfo info = probe(file, "the voice sample from yttools");
        if (info.audio() == null) {
            throw new StepFailedException("yttools sent a file with no audio stream (" + info.formatName() + ")");
        }
        var job = jobs.get(jobId(exchange));
        double asked = job.input.segmentEnd - job.input.segmentStart;
        if (info.durationSeconds() < Math.min(asked, 3.0) - 0.5) {
            throw new StepFailedException(String.format(Locale.ROOT, "yttools sent %.2f s of audio where %.0f s were "
                    + "asked (is the video shorter than segment_end?)", info.durationSeconds(), asked));
        }
        Map<String, Object> d = details(exchange);
        d.put("duration_seconds", round(info.durationSeconds()));
        d.put("codec", info.audio().codecName());
        d.put("sample_rate", info.audio().sampleRate());
        d.put("bytes", Files.size(file));
    }

    /**
     * The cloned voice: longer than the video fails the job, saying by how much; shorter is padded with silence to
     * exactly the video length (voice-8s.wav), so that the video lasts exactly that too.
     */
    public void fitSpeech(Exchange exchange) throws IOException {
        Path raw = dir(exchange).resolve("voice.wav");
        // the voice step may be declared with another TTS service (examples/routes/voice-rawwav.camel.yaml)
        String service = pipeline.current(exchange).serviceName();
        // the usual 16-bit mono WAV is measured and padded in Java: no ffmpeg process between two GPU steps
        Optional<Wav.Pcm16> pcm = Wav.pcm16Mono(raw);
        double speech;
        int rate;
        if (pcm.isPresent()) {
            speech = pcm.get().seconds();
            rate = pcm.get().sampleRate();
        } else {
            MediaInfo info = probe(raw, "the cloned voice from " + service);
            if (info.audio() == null) {
                throw new StepFailedException(service + " sent audio that ffprobe cannot read as audio");
            }
            speech = info.durationSeconds();
            rate = info.audio().sampleRate() > 0 ? info.audio().sampleRate() : 24000;
        }
        Map<String, Object> d = details(exchange);
        d.put("speech_seconds", round(speech));
        if (speech > videoSeconds + 0.0005) {
            double over = speech - videoSeconds;
            throw new StepFailedException(String.format(Locale.ROOT, "the cloned voice lasts %.2f s, %.2f s longer "
                    + "than the %s-second video: shorten the script by about %d word(s)", speech, over,
                    fmt(videoSeconds), Math.max(1, (int) Math.ceil(over * 2.5))));
        }
        long samples = Math.round(videoSeconds * rate);
        Path padded = artifact(exchange);
        Path tmp = AtomicFiles.temp(padded);
        try {
            if (pcm.isPresent()) {
                Wav.padTo(raw, pcm.get(), samples, tmp);
            } else {
                Ffmpeg.run(Duration.ofMinutes(2), "-i", raw.toString(), "-af", "apad=whole_len=" + samples,
                        "-ac", "1", "-ar", String.valueOf(rate), "-c:a", "pcm_s16le", "-f", "wav", tmp.toString());
            }
            AtomicFiles.moveIntoPlace(tmp, padded);
        } finally {
            Files.deleteIfExists(tmp);
        }
        d.put("padded_seconds", round(pcm.isPresent() ? samples / (double) rate
                : probe(padded, "the padded voice").durationSeconds()));
        d.put("silence_added_seconds", round(videoSeconds - speech));
        d.put("sample_rate", rate);
    }

    /** The portrait from ComfyUI: a picture ImageIO can read. */
    public void checkPortrait(Exchange exchange) throws IOException {
        Path file = artifact(exchange);
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new ServiceReplyException("ComfyUI sent a portrait that is not a readable image");
        }
        Map<String, Object> d = details(exchange);
        d.put("width", image.getWidth());
        d.put("height", image.getHeight());
        d.put("bytes", Files.size(file));
    }

    /** The video from InfiniteTalk: H.264 with sound, lasting the video length. */
    public void checkVideo(Exchange exchange) throws IOException {
        Path file = artifact(exchange);
        MediaInfo info = probe(file, "the video from infinitetalk-api");
        if (info.video() == null || info.audio() == null) {
            throw new StepFailedException("infinitetalk-api sent a video without " + (info.video() == null ? "picture"
                    : "sound"));
        }
        if (Math.abs(info.durationSeconds() - videoSeconds) > VIDEO_TOLERANCE_S) {
            throw new StepFailedException(String.format(Locale.ROOT, "infinitetalk-api sent a %.2f s video; %s s "
                    + "were expected", info.durationSeconds(), fmt(videoSeconds)));
        }
        Map<String, Object> d = details(exchange);
        d.put("duration_seconds", round(info.durationSeconds()));
        d.put("width", info.video().width());
        d.put("height", info.video().height());
        d.put("fps", round(info.video().frameRate()));
        d.put("frames", info.video().frames());
        d.put("video_codec", info.video().codecName());
        d.put("audio_codec", info.audio().codecName());
        d.put("bytes", Files.size(file));
    }

    /**
     * The finished video, as it is delivered: the job's profile's frame (native: the raw video's), H.264 High yuv420p,
     * 25 fps, exactly the video length's frames, AAC 48 kHz stereo, sound and picture starting together, and the
     * index (moov) before the media (mdat) so it plays while it downloads. Each fact is noted on the step.
     */
    public void checkFinished(Exchange exchange) throws IOException {
        Path file = artifact(exchange);
        // one ffprobe: the decoded frame count comes with the streams and the format
        MediaInfo info = probeCounting(file);
        MediaInfo.Stream v = info.video();
        MediaInfo.Stream a = info.audio();
        if (v == null || a == null) {
            throw new StepFailedException("the finished video has no " + (v == null ? "picture" : "sound"));
        }
        long frames = v.frames();
        OutputProfile profile = profiles.forJob(jobId(exchange));
        String size = v.width() + "x" + v.height();
        String wanted = profile.nativeSize() ? sizeOf(dir(exchange).resolve(Finisher.SOURCE))
                : profile.width() + "x" + profile.height();
        long wantedFrames = Math.round(videoSeconds * FinishGraph.FPS);
        boolean indexFirst = Mp4Atoms.indexFirst(file);
        StringBuilder wrong = new StringBuilder();
        expect(wrong, size.equals(wanted), "frame " + size + ", not " + wanted + " (profile " + profile.name() + ")");
        expect(wrong, "h264".equals(v.codecName()) && "High".equals(v.profile()),
                "video " + v.codecName() + " " + v.profile() + ", not h264 High");
        expect(wrong, "yuv420p".equals(v.pixFmt()), "pixels " + v.pixFmt() + ", not yuv420p");
        expect(wrong, Math.abs(v.frameRate() - FinishGraph.FPS) < 0.01, "frame rate " + v.frameRate() + ", not 25");
        expect(wrong, frames == wantedFrames, frames + " frames, not " + wantedFrames);
        expect(wrong, "aac".equals(a.codecName()) && a.sampleRate() == 48000 && a.channels() == 2,
                "sound " + a.codecName() + " " + a.sampleRate() + " Hz " + a.channels() + " ch, not AAC 48000 Hz 2 ch");
        expect(wrong, Math.abs(v.startSeconds() - a.startSeconds()) < 0.001,
                "picture starts at " + v.startSeconds() + " s, sound at " + a.startSeconds() + " s");
        expect(wrong, indexFirst, "moov is not before mdat (no +faststart)");
        if (wrong.length() > 0) {
            throw new StepFailedException("the finished video is not as delivered: " + wrong.substring(2));
        }
        Map<String, Object> d = details(exchange);
        d.put("width", v.width());
        d.put("height", v.height());
        d.put("duration_seconds", round(info.durationSeconds()));
        d.put("fps", round(v.frameRate()));
        d.put("frames", frames);
        d.put("video_codec", v.codecName() + " " + v.profile());
        d.put("pix_fmt", v.pixFmt());
        d.put("audio_codec", a.codecName());
        d.put("sample_rate", a.sampleRate());
        d.put("channels", a.channels());
        d.put("faststart", true);
        d.put("bytes", Files.size(file));
    }

    private static void expect(StringBuilder wrong, boolean ok, String otherwise) {
        if (!ok) {
            wrong.append("; ").append(otherwise);
        }
    }

    private static String sizeOf(Path video) throws IOException {
        MediaInfo.Stream v = probe(video, "the raw video").video();
        return v == null ? "none" : v.width() + "x" + v.height();
    }

    private static MediaInfo probeCounting(Path file) throws IOException {
        try {
            return MediaProbe.probe(file, true);
        } catch (IOException e) {
            throw new StepFailedException("the finished video is not readable media, or cannot be decoded: "
                    + e.getMessage());
        }
    }

    /** What ffprobe says of {@code file}, or a step failure saying {@code what} is not readable media. */
    static MediaInfo probe(Path file, String what) throws IOException {
        try {
            return MediaProbe.probe(file);
        } catch (IOException e) {
            throw new StepFailedException(what + " is not readable media: " + e.getMessage());
        }
    }

    /** The artifact the running step declares (routes/step-*.camel.yaml). */
    private Path artifact(Exchange exchange) {
        return dir(exchange).resolve(pipeline.current(exchange).artifact());
    }

    private Path dir(Exchange exchange) {
        return jobs.volume().jobDir(jobId(exchange));
    }

    private static String jobId(Exchange exchange) {
        return StepTracker.jobId(exchange);
    }

    private static Map<String, Object> details(Exchange exchange) {
        return StepTracker.details(exchange);
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String fmt(double v) {
        return v % 1 == 0 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
