package dev.talkreel.service.vibevoice;

import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.Pipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;

/** vibevoice-api's request (docs/SERVICES.md §3.2): the one that carries a file, streamed from disk. */
public final class VibevoiceRequests {
    private final JobStore jobs;
    /** Where the audio step left the voice sample (its declaration in routes/). */
    private final Pipeline pipeline;
    private final Map<String, String> settings;

    /** {@code settings}: the talkreel.vibevoice.* keys, without the prefix (model, cfg-scale, ...). */
    public VibevoiceRequests(JobStore jobs, Pipeline pipeline, Map<String, String> settings) {
        this.jobs = jobs;
        this.pipeline = pipeline;
        this.settings = settings;
    }

    /** POST /api/tts as multipart: the script, and the voice sample streamed from the job folder. */
    public HttpEntity tts(String jobId) {
        JobRequest in = jobs.get(jobId).input;
        Path sample = jobs.volume().jobDir(jobId).resolve(pipeline.step("audio").artifact());
        ContentType text = ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8);
        return MultipartEntityBuilder.create()
                .addTextBody("text", in.script, text)
                .addBinaryBody("voice_audio", sample.toFile(), ContentType.create("audio/mpeg"), sample.getFileName().toString())
                .addTextBody("model", settings.get("model"), text)
                .addTextBody("cfg_scale", settings.get("cfg-scale"), text)
                .addTextBody("diffusion_steps", settings.get("diffusion-steps"), text)
                .addTextBody("use_sampling", settings.get("use-sampling"), text)
                .addTextBody("temperature", settings.get("temperature"), text)
                .addTextBody("top_p", settings.get("top-p"), text)
                .addTextBody("seed", String.valueOf(in.seed != null ? in.seed : Long.parseLong(settings.get("default-seed"))), text)
                .addTextBody("output_format", "wav", text)
                .build();
    }
}
