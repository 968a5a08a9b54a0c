package dev.talkreel.api;

import dev.talkreel.files.SharedVolume;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.Status;
import dev.talkreel.pipeline.Pipeline;
import dev.talkreel.pipeline.StepDefinition;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code GET /api/jobs/{id}/artifacts/{step}}: the file a done step made (the reference sample, the cloned voice,
 * the portrait, the video), for the dashboard's players. The file is found, never named, by the request: the step
 * must be declared in routes/ and done in the job's record, and its file is the artifact the step declares, in the
 * job's folder (live or archived), a regular file and not a link. Anything else is a 404.
 */
public final class JobArtifacts {
    private static final Map<String, String> TYPES = Map.of("mp3", "audio/mpeg", "wav", "audio/wav", "png",
            "image/png", "jpg", "image/jpeg", "mp4", "video/mp4", "json", "application/json");

    private final JobStore jobs;
    private final Pipeline pipeline;

    public JobArtifacts(JobStore jobs, Pipeline pipeline) {
        this.jobs = jobs;
        this.pipeline = pipeline;
    }

    public void serve(@Header("id") String id, @Header("step") String step, Exchange exchange) {
        Optional<Path> file = find(id, step);
        if (file.isEmpty()) {
            JobApi.reply(exchange, 404, Map.of("error", "job " + id + " has no artifact of a done step " + step));
            return;
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType(file.get()));
        exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
        exchange.getMessage().setBody(file.get().toFile());
    }

    /** The artifact of a done step of the job, when it is there as a regular file inside the job's folder. */
    Optional<Path> find(String id, String step) {
        if (id == null || !id.matches(SharedVolume.JOB_ID) || step == null) {
            return Optional.empty();
        }
        Optional<StepDefinition> declared = pipeline.find(step);
        Optional<JobRecord> job = jobs.find(id);
        if (declared.isEmpty() || job.isEmpty() || job.get().steps.get(step) == null
                || job.get().steps.get(step).state != Status.DONE) {
            return Optional.empty();
        }
        Path folder = jobs.folderOf(id);
        if (folder == null) {
            return Optional.empty();
        }
        Path file = folder.resolve(declared.get().artifact()).normalize();
        boolean inside = file.getParent() != null && file.getParent().equals(folder.normalize());
        return inside && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(file) : Optional.empty();
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }
}
