package dev.talkreel.emulator.infinitetalk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Call;
import dev.talkreel.emulator.EmulatorServer;
import dev.talkreel.emulator.Fault;
import dev.talkreel.emulator.GpuMeter;
import dev.talkreel.emulator.Json;
import dev.talkreel.emulator.Reply;
import dev.talkreel.emulator.ReplyException;
import dev.talkreel.files.PathMap;
import dev.talkreel.files.PathOutsideVolumeException;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;

/**
 * Plays petebytes' synchronous FastAPI {@code infinitetalk-api-server} (docs/SERVICES.md 2.2 and 2.4):
 * {@code POST /api/generate-video} takes service-side paths (/data/shared/...), checks them, and answers only when
 * the video is written under /output. The video is real: H.264 + AAC at 25 fps, {@code int(audio_seconds*25)} frames
 * (streaming mode), sized by InfiniteTalk's aspect-ratio buckets. Operations: generate (faults OOM, SYMLINK: the
 * video_path replied is a link to a file outside every mapped folder), health.
 */
public final class InfiniteTalkEmulator extends EmulatorServer {
    /** InfiniteTalk's default clip length; shorter audio fails its assertion (typo included, as upstream). */
    private static final int MIN_FRAMES = 81;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss");

    private final PathMap pathMap;
    private final Path outputDir;
    private volatile long extraVideoBytes;

    /** {@code pathMap} is how the container sees the world: /data/shared and /output mapped to local folders. */
    public InfiniteTalkEmulator(GpuMeter gpu, PathMap pathMap, Path outputDir) {
        super("infinitetalk-api", gpu);
        // loaded on the first request and kept; with NUM_PERSISTENT_PARAM_IN_DIT=0 the DiT weights wait in CPU memory,
        // so between videos it holds little (2 GB), during one about 24 GB, given back by empty_cache after it
        // (docs/SERVICES.md §2.5); it has no unload endpoint
        model(2, 24, Duration.ZERO);
        this.pathMap = pathMap;
        this.outputDir = outputDir.toAbsolutePath().normalize();
    }

    /** Pads every following video with an mp4 {@code free} box of this many bytes (0 = none): big files, cheaply. */
    public void setExtraVideoBytes(long bytes) {
        extraVideoBytes = Math.max(0, bytes);
    }

    @Override
    protected void routes() {
        on(HttpMethod.POST, "/api/generate-video", "generate", this::generate);
        on(HttpMethod.GET, "/api/health", "health", call -> {
            pause(behaviour.latency("health"));
            return Reply.json(Map.of("status", "healthy", "model_loaded", true, "gpu_available", true,
                    "version", "1.0.0"));
        });
        on(HttpMethod.GET, "/", "health", call -> Reply.json(Map.of("name", "InfiniteTalk API Server",
                "version", "1.0.0", "endpoints", Map.of("health", "/api/health",
                        "generate_video", "/api/generate-video", "docs", "/docs"))));
    }

    @Override
    protected Reply errorReply(int status, String message) {
        return detail(status, message);
    }

    private Reply generate(Call call) throws Exception {
        GenerateRequest req = GenerateRequest.parse(call.body());
        Path audio = existing(req.audioPath(), "Audio");
        Path image = existing(req.imagePath(), "Image");
        if (!Buckets.known(req.resolution())) {
            // the wrapper raises HTTPException(400) inside its try; the catch-all re-wraps it as a 500
            return detail(500, "400: Invalid resolution. Must be 'infinitetalk-480' or 'infinitetalk-720'");
        }
        MediaInfo.Stream picture = probe(image).video();
        MediaInfo audioInfo = probe(audio);
        if (picture == null || picture.width() <= 0 || audioInfo.audio() == null) {
            return detail(500, "Video generation failed: cannot read " + (picture == null ? image : audio));
        }
        int frames = (int) Math.floor(audioInfo.durationSeconds() * VideoRenderer.FPS + 1e-6);
        if (frames < MIN_FRAMES) {
            return detail(500, "Video generation failed: Aduio file not exists or length not satisfies frame nums.");
        }
        Buckets.Size size = Buckets.pick(req.resolution(), picture.width(), picture.height());
        Fault fault = call.fault();
        journal("generate " + req.audioPath());
        Path video = onGpu("infinitetalk", () -> {
            if (!startWork(call)) {
                throw outOfMemory();
            }
            try {
                Duration latency = behaviour.latency("generate");
                if (fault == null || fault == Fault.SYMLINK) {
                    return within(call, latency, () -> write(image, audio, size, frames),
                            EmulatorServer::deleteQuietly);
                }
                pauseRest(call, latency);
                if (fault == Fault.OOM) {
                    throw outOfMemory();
                }
                throw new ReplyException(detail(500, "Video generation failed: RuntimeError: CUDA error: an "
                        + "illegal memory access was encountered"));
            } finally {
                endWork();
            }
        });
        String videoPath = fault == Fault.SYMLINK ? linkFromOutside(video) : pathMap.toService(video);

        // The real wrapper reads the [C,T,H,W] tensor as [T,H,W,C] and so reports e.g. frame_count 3 and resolution
        // "448x180"; the emulator reports the true values, which is what a fixed wrapper would say.
        ObjectNode reply = Json.object().put("video_path", videoPath)
                .put("duration_seconds", frames / (double) VideoRenderer.FPS).put("resolution", size.toString())
                .put("frame_count", frames);
        reply.putObject("metadata").put("seed", req.seed()).put("diffusion_steps", req.diffusionSteps())
                .put("text_guide_scale", req.textGuideScale()).put("audio_guide_scale", req.audioGuideScale())
                .put("resolution_bucket", req.resolution()).put("actual_resolution", size.toString())
                .put("motion_frame", req.motionFrame()).put("color_correction", req.colorCorrection())
                .put("timestamp", LocalDateTime.now().toString());
        return Reply.json(reply);
    }

    private static ReplyException outOfMemory() {
        return new ReplyException(detail(500, "Video generation failed: CUDA out of memory. Tried to allocate "
                + "2.25 GiB. GPU 0 has a total capacity of 31.36 GiB of which 1.02 GiB is free. Of the "
                + "allocated memory 28.47 GiB is allocated by PyTorch, and 1.12 GiB is reserved by PyTorch but "
                + "unallocated."));
    }

    /** Renders under a temporary name and renames, so nobody sees a half-written video under its final name. */
    private Path write(Path image, Path audio, Buckets.Size size, int frames) throws IOException {
        Files.createDirectories(outputDir);
        String name = "infinitetalk_" + LocalDateTime.now().format(STAMP) + "_"
                + UUID.randomUUID().toString().substring(0, 8);
        Path tmp = outputDir.resolve("." + name + ".mp4.tmp");
        Path target = outputDir.resolve(name + ".mp4");
        try {
            VideoRenderer.render(image, audio, size, frames, tmp);
            if (extraVideoBytes > 0) {
                VideoRenderer.pad(tmp, extraVideoBytes);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * The SYMLINK fault: the video is moved to a folder beside /output that no one maps ({@code <output>-outside}),
     * and /output gets a symbolic link to it, whose path is what the reply names. A client that compares paths as
     * strings takes it; one that follows links sees where it leads.
     */
    private String linkFromOutside(Path video) throws IOException {
        Path outside = outputDir.resolveSibling(outputDir.getFileName() + "-outside");
        Files.createDirectories(outside);
        Path target = outside.resolve("evil-" + video.getFileName());
        Files.move(video, target, StandardCopyOption.ATOMIC_MOVE);
        Path link = outputDir.resolve("evil-" + video.getFileName());
        Files.createSymbolicLink(link, target);
        return "/output/" + link.getFileName();
    }

    /** The local file behind a service path; outside the container's mounts it simply does not exist. */
    private Path existing(String servicePath, String what) {
        try {
            Path local = pathMap.toLocal(servicePath);
            if (Files.isRegularFile(local)) {
                return local;
            }
        } catch (PathOutsideVolumeException e) {
            // the container cannot see it either
        }
        throw new ReplyException(detail(404, what + " file not found: " + servicePath));
    }

    private static MediaInfo probe(Path file) {
        try {
            return MediaProbe.probe(file);
        } catch (IOException e) {
            throw new ReplyException(detail(500, "Video generation failed: " + e.getMessage()));
        }
    }

    private static Reply detail(int status, String message) {
        return Reply.json(status, Map.of("detail", message));
    }
}
