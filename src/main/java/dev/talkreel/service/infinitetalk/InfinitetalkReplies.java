package dev.talkreel.service.infinitetalk;

import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.PathMap;
import dev.talkreel.files.PathOutsideVolumeException;
import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.Pipeline;
import dev.talkreel.pipeline.StepFailedException;
import dev.talkreel.service.JsonReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * infinitetalk-api's reply (docs/SERVICES.md §2.4) names the video by a path under /output, the service's own folder.
 * It must map, through talkreel.infinitetalk.path-map, into a folder we see, and stay inside it once symbolic links
 * are followed (PathMap resolves it); the real file, a regular file, is then linked or copied into the job folder.
 */
public final class InfinitetalkReplies {
    private static final String SERVICE = "infinitetalk-api";
    private final JobStore jobs;
    /** The video step's declaration: the file name its video gets in the job folder. */
    private final Pipeline pipeline;
    /** How each GPU host's InfiniteTalk sees the volume, by host name (null: the default host). */
    private final Function<String, PathMap> pathsOf;

    public InfinitetalkReplies(JobStore jobs, Pipeline pipeline, PathMap paths) {
        this(jobs, pipeline, host -> paths);
    }

    /** With a path map per GPU host (talkreel.gpu.host.&lt;name&gt;.infinitetalk.path-map). */
    public InfinitetalkReplies(JobStore jobs, Pipeline pipeline, Function<String, PathMap> pathsOf) {
        this.jobs = jobs;
        this.pipeline = pipeline;
        this.pathsOf = pathsOf;
    }

    /** Puts the video the reply names into the job folder; returns what the service said of it. */
    public Map<String, Object> video(String reply, String jobId) throws IOException {
        return video(reply, jobId, null);
    }

    /** As {@link #video(String, String)}, the reply's path as GPU host {@code host} names it. */
    public Map<String, Object> video(String reply, String jobId, String host) throws IOException {
        Path target = jobs.volume().jobDir(jobId).resolve(pipeline.step("video").artifact());
        return linked(reply, target, pathsOf.apply(host));
    }

    Map<String, Object> video(String reply, Path target) throws IOException {
        return linked(reply, target, pathsOf.apply(null));
    }

    private Map<String, Object> linked(String reply, Path target, PathMap paths) throws IOException {
        Map<?, ?> body = JsonReply.object(reply, SERVICE);
        Object servicePath = body.get("video_path");
        Path local = paths.toLocal(servicePath == null ? null : String.valueOf(servicePath));
        if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
            throw new StepFailedException("infinitetalk-api said the video is at " + servicePath + ", but " + local
                    + " does not exist: is its output folder mounted here (talkreel.infinitetalk.path-map)?");
        }
        if (!Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS)) {
            throw new PathOutsideVolumeException("infinitetalk-api named " + servicePath + " as its video, which is not "
                    + "a regular file");
        }
        AtomicFiles.publish(local, target);
        return JsonReply.facts("service_video_path", servicePath, "service_reported_resolution", body.get("resolution"),
                "service_reported_frames", body.get("frame_count"));
    }
}
