package dev.talkreel.service.infinitetalk;

import dev.talkreel.files.PathMap;
import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** infinitetalk-api's request (docs/SERVICES.md §2.4): inputs named by the paths under which the service sees them. */
public final class InfinitetalkRequests {
    private final JobStore jobs;
    /** Where the steps whose artifacts the request names left them (their declarations in routes/). */
    private final Pipeline pipeline;
    /** How each GPU host's InfiniteTalk sees the volume, by host name (null: the default host). */
    private final Function<String, PathMap> pathsOf;
    private final Map<String, String> settings;

    /** {@code settings}: the talkreel.infinitetalk.* keys, without the prefix (prompt, default-seed, ...). */
    public InfinitetalkRequests(JobStore jobs, Pipeline pipeline, PathMap paths, Map<String, String> settings) {
        this(jobs, pipeline, host -> paths, settings);
    }

    /** With a path map per GPU host (talkreel.gpu.host.&lt;name&gt;.infinitetalk.path-map). */
    public InfinitetalkRequests(JobStore jobs, Pipeline pipeline, Function<String, PathMap> pathsOf,
                                Map<String, String> settings) {
        this.jobs = jobs;
        this.pipeline = pipeline;
        this.pathsOf = pathsOf;
        this.settings = settings;
    }

    /** As {@link #generate(String, String)} for the default host. */
    public Map<String, Object> generate(String jobId) {
        return generate(jobId, null);
    }

    /** POST /api/generate-video on the GPU host {@code host}: the job's voice and portrait as that host sees them. */
    public Map<String, Object> generate(String jobId, String host) {
        PathMap paths = pathsOf.apply(host);
        JobRequest in = jobs.get(jobId).input;
        Path dir = jobs.volume().jobDir(jobId);
        Map<String, String> d = settings;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("audio_path", paths.toService(dir.resolve(pipeline.step("voice").artifact())));
        body.put("image_path", paths.toService(dir.resolve(pipeline.step("portrait").artifact())));
        body.put("prompt", d.get("prompt"));
        body.put("resolution", in.resolution != null ? in.resolution : d.get("default-resolution"));
        body.put("seed", in.seed != null ? in.seed : Long.parseLong(d.get("default-seed")));
        body.put("diffusion_steps", in.diffusionSteps != null ? in.diffusionSteps
                : Integer.parseInt(d.get("default-diffusion-steps")));
        body.put("text_guide_scale", in.textGuideScale != null ? in.textGuideScale
                : Double.parseDouble(d.get("default-text-guide-scale")));
        body.put("audio_guide_scale", in.audioGuideScale != null ? in.audioGuideScale
                : Double.parseDouble(d.get("default-audio-guide-scale")));
        return body;
    }
}
