package dev.talkreel.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.files.PathMap;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;

/**
 * Builds each service's request from the job, following docs/SERVICES.md to the field. Bodies are small JSON; the one
 * file that travels over HTTP (the voice sample) streams from disk inside a multipart body.
 */
public final class ServiceRequests {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JobStore jobs;
    /** Where the steps whose artifacts a request sends left them (their declarations in routes/). */
    private final Pipeline pipeline;
    private final Settings settings;

    /** The request defaults from config/application.properties. */
    public record Settings(String yttoolsAudioFormat, Map<String, String> vibevoice, Path comfyWorkflow,
                           Map<String, String> comfyNodes, int portraitWidth, int portraitHeight,
                           String defaultPortraitPrompt, PathMap infinitetalkPaths, Map<String, String> infinitetalk) {
    }

    public ServiceRequests(JobStore jobs, Pipeline pipeline, Settings settings) {
        this.jobs = jobs;
        this.pipeline = pipeline;
        this.settings = settings;
    }

    /** yttools POST /api/download: the canonical YouTube URL rebuilt from the validated video id, never user text. */
    public Map<String, Object> yttoolsDownload(@ExchangeProperty(Props.JOB_ID) String jobId) {
        JobRequest in = input(jobId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", dev.talkreel.job.YoutubeUrl.canonical(in.videoId));
        body.put("start_time", number(in.segmentStart));
        body.put("end_time", number(in.segmentEnd));
        body.put("audio_format", settings.yttoolsAudioFormat());
        body.put("enable_whisper", false);
        return body;
    }

    /** vibevoice-api POST /api/tts as multipart: the script, and the voice sample streamed from the job folder. */
    public HttpEntity vibevoiceTts(@ExchangeProperty(Props.JOB_ID) String jobId) {
        JobRequest in = input(jobId);
        Path sample = jobs.volume().jobDir(jobId).resolve(pipeline.step("audio").artifact());
        Map<String, String> v = settings.vibevoice();
        ContentType text = ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8);
        return MultipartEntityBuilder.create()
                .addTextBody("text", in.script, text)
                .addBinaryBody("voice_audio", sample.toFile(), ContentType.create("audio/mpeg"), sample.getFileName().toString())
                .addTextBody("model", v.get("model"), text)
                .addTextBody("cfg_scale", v.get("cfg-scale"), text)
                .addTextBody("diffusion_steps", v.get("diffusion-steps"), text)
                .addTextBody("use_sampling", v.get("use-sampling"), text)
                .addTextBody("temperature", v.get("temperature"), text)
                .addTextBody("top_p", v.get("top-p"), text)
                .addTextBody("seed", String.valueOf(in.seed != null ? in.seed : Long.parseLong(v.get("default-seed"))), text)
                .addTextBody("output_format", "wav", text)
                .build();
    }

    /** ComfyUI POST /prompt: the workflow template from config with the prompt, seed and size filled in. */
    public Map<String, Object> comfyPrompt(@ExchangeProperty(Props.JOB_ID) String jobId) throws IOException {
        JobRequest in = input(jobId);
        ObjectNode workflow = (ObjectNode) MAPPER.readTree(Files.readString(settings.comfyWorkflow()));
        Map<String, String> nodes = settings.comfyNodes();
        inputs(workflow, nodes.get("prompt")).put("text", in.portraitPrompt != null ? in.portraitPrompt
                : settings.defaultPortraitPrompt());
        inputs(workflow, nodes.get("seed")).put("seed", portraitSeed(jobId, in));
        inputs(workflow, nodes.get("size")).put("width", settings.portraitWidth()).put("height", settings.portraitHeight());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", workflow);
        body.put("client_id", "talkreel-" + jobId);
        return body;
    }

    /** infinitetalk-api POST /api/generate-video: inputs named by the paths under which the service sees them. */
    public Map<String, Object> infinitetalkGenerate(@ExchangeProperty(Props.JOB_ID) String jobId) {
        JobRequest in = input(jobId);
        Path dir = jobs.volume().jobDir(jobId);
        Map<String, String> d = settings.infinitetalk();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("audio_path", settings.infinitetalkPaths().toService(dir.resolve(pipeline.step("voice").artifact())));
        body.put("image_path", settings.infinitetalkPaths().toService(dir.resolve(pipeline.step("portrait").artifact())));
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

    /** The job's seed, or one derived from its id: a resubmitted prompt then renders the same picture. */
    private static long portraitSeed(String jobId, JobRequest in) {
        return in.seed != null ? in.seed : Integer.toUnsignedLong(jobId.hashCode());
    }

    private static ObjectNode inputs(ObjectNode workflow, String nodeId) {
        if (!workflow.has(nodeId) || !workflow.get(nodeId).has("inputs")) {
            throw new StepFailedException("the ComfyUI workflow has no node " + nodeId
                    + " with inputs (check talkreel.comfyui.node.* against " + "talkreel.comfyui.workflow)");
        }
        return (ObjectNode) workflow.get(nodeId).get("inputs");
    }

    private JobRequest input(String jobId) {
        JobRecord job = jobs.get(jobId);
        return job.input;
    }

    private static Number number(double v) {
        return v % 1 == 0 ? (Number) (long) v : (Number) v;
    }
}
