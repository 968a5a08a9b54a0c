package dev.talkreel.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.files.PathMap;
import dev.talkreel.job.JobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * Reads each service's replies: task ids, poll states, and where the result is. Lenient about shapes the real
 * services have used over time (old ComfyUI had no status block), strict about anything that would make talkreel
 * read or write outside its folders.
 */
public final class ServiceReplies {
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    /** The service does not know the task (lost in a restart): the poll loop submits it again. */
    public static final String UNKNOWN = "unknown";

    private final JobStore jobs;
    private final Pipeline pipeline;
    private final PathMap infinitetalkPaths;
    private final String comfyOutputNode;
    private final long comfyOomCooldownMs;
    private static final com.fasterxml.jackson.databind.ObjectMapper READER = new com.fasterxml.jackson.databind.ObjectMapper();
    private final JsonFactory json = new JsonFactory();
    /** VibeVoice's short text fields kept with the step; other text is never read into memory. */
    private static final java.util.Set<String> SMALL_TEXT_FIELDS = java.util.Set.of("format", "model_used");

    public ServiceReplies(JobStore jobs, Pipeline pipeline, PathMap infinitetalkPaths, String comfyOutputNode,
            long comfyOomCooldownMs) {
        this.jobs = jobs;
        this.pipeline = pipeline;
        this.infinitetalkPaths = infinitetalkPaths;
        this.comfyOutputNode = comfyOutputNode;
        this.comfyOomCooldownMs = comfyOomCooldownMs;
    }

    /** yttools: {"task_id": ...} from POST /api/download. */
    public void yttoolsSubmitted(Exchange exchange) {
        Map<?, ?> body = map(exchange, "yttools");
        Object id = body.get("task_id");
        if (!(id instanceof String s) || s.isBlank()) {
            throw new StepFailedException("yttools accepted the download but returned no task_id: " + body, true);
        }
        exchange.setProperty(Props.TASK_ID, s);
    }

    /** yttools: GET /api/status/{id}, read with throwExceptionOnFailure=false so that 404 means "unknown task". */
    public void yttoolsStatus(Exchange exchange) {
        int code = exchange.getIn().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        if (code == 404) {
            poll(exchange, UNKNOWN, "yttools no longer knows task " + exchange.getProperty(Props.TASK_ID));
            return;
        }
        if (code >= 400) {
            throw new StepFailedException("yttools answered HTTP " + code + " to a status poll: "
                    + FailureExplainer.serviceWords(exchange.getIn().getBody(String.class)), code >= 500);
        }
        Map<?, ?> body = map(exchange, "yttools");
        Object status = body.get("status");
        if ("completed".equals(status)) {
            poll(exchange, DONE, null);
        } else if ("failed".equals(status)) {
            poll(exchange, FAILED, "yttools could not cut the audio: " + body.get("error"));
        } else if ("processing".equals(status) || "pending".equals(status) || "queued".equals(status)) {
            StepTracker.details(exchange).put("progress", body.get("progress"));
            poll(exchange, RUNNING, null);
        } else {
            throw new StepFailedException("yttools reported an unknown status '" + status + "'", true);
        }
    }

    /** ComfyUI: {"prompt_id", "number", "node_errors"} from POST /prompt; node errors fail the step at once. */
    public void comfySubmitted(Exchange exchange) {
        Map<?, ?> body = map(exchange, "ComfyUI");
        Object errors = body.get("node_errors");
        if (errors instanceof Map<?, ?> m && !m.isEmpty()) {
            throw new StepFailedException("ComfyUI refused nodes of the workflow: " + m);
        }
        Object id = body.get("prompt_id");
        if (!(id instanceof String s) || s.isBlank()) {
            throw new StepFailedException("ComfyUI accepted the prompt but returned no prompt_id: " + body, true);
        }
        exchange.setProperty(Props.TASK_ID, s);
        StepTracker.details(exchange).put("queue_number", body.get("number"));
    }

    /**
     * ComfyUI: GET /history/{id} is {} until the prompt has finished (and for an id it never had). Done means an
     * image on the output node; an error status means failed, with the exception ComfyUI reported.
     */
    public void comfyHistory(Exchange exchange) {
        String promptId = exchange.getProperty(Props.TASK_ID, String.class);
        Map<?, ?> entry = asMap(map(exchange, "ComfyUI").get(promptId));
        if (entry == null || entry.isEmpty()) {
            if (Boolean.TRUE.equals(exchange.getProperty("comfyConfirmingLoss"))) {
                // not queued a moment ago and still not in history: ComfyUI lost it (it restarted)
                exchange.removeProperty("comfyConfirmingLoss");
                exchange.setProperty("comfyCheckQueue", false);
                poll(exchange, UNKNOWN, "ComfyUI has prompt " + promptId + " neither in its queue nor in its history");
                return;
            }
            poll(exchange, RUNNING, "not in history yet");
            // {} is also what ComfyUI says of a prompt it lost: ask its queue now and then (first poll, every 10th)
            int polls = exchange.getProperty(Props.POLLS, 1, Integer.class);
            exchange.setProperty("comfyCheckQueue", polls == 1 || polls % 10 == 0);
            return;
        }
        exchange.setProperty("comfyCheckQueue", false);
        exchange.removeProperty("comfyConfirmingLoss");
        Map<?, ?> status = asMap(entry.get("status"));
        if (status != null && "error".equals(status.get("status_str"))) {
            String error = comfyError(status);
            if (RetryPolicy.looksLikeOutOfMemory(error) && !Boolean.TRUE.equals(exchange.getProperty("comfyOomRetried"))) {
                // out of GPU memory: submitted once more, after a cool-down (the template waits resubmitDelayMs)
                exchange.setProperty("comfyOomRetried", true);
                exchange.setProperty(Props.RESUBMIT_DELAY_MS, comfyOomCooldownMs);
                poll(exchange, UNKNOWN, "ComfyUI ran out of GPU memory (" + error + "); trying once more");
                return;
            }
            poll(exchange, FAILED, "ComfyUI could not render the portrait: " + error);
            return;
        }
        Map<?, ?> outputs = asMap(entry.get("outputs"));
        Map<?, ?> node = outputs == null ? null : asMap(outputs.get(comfyOutputNode));
        List<?> images = node == null ? null : (List<?>) node.get("images");
        if (images != null && !images.isEmpty()) {
            Map<?, ?> image = asMap(images.get(0));
            String filename = String.valueOf(image.get("filename"));
            String subfolder = image.get("subfolder") == null ? "" : String.valueOf(image.get("subfolder"));
            String type = image.get("type") == null ? "output" : String.valueOf(image.get("type"));
            checkComfyName(filename, subfolder, type);
            exchange.setProperty("comfyViewQuery", "filename=" + encode(filename) + "&subfolder=" + encode(subfolder)
                    + "&type=" + encode(type));
            StepTracker.details(exchange).put("comfyui_file", subfolder.isEmpty() ? filename : subfolder + "/" + filename);
            poll(exchange, DONE, null);
        } else if (status != null && Boolean.TRUE.equals(status.get("completed"))) {
            poll(exchange, FAILED, "ComfyUI finished the prompt but node " + comfyOutputNode + " saved no image "
                    + "(check talkreel.comfyui.node.output)");
        } else {
            poll(exchange, RUNNING, null);
        }
    }

    /**
     * ComfyUI: GET /queue, asked when history is still empty. A prompt neither queued nor running may have finished
     * between the two questions, so the route asks the history once more (comfyConfirmingLoss) before it counts the
     * prompt as lost and submits it again.
     */
    public void comfyQueue(Exchange exchange) {
        String promptId = exchange.getProperty(Props.TASK_ID, String.class);
        Map<?, ?> queue = map(exchange, "ComfyUI");
        for (String part : List.of("queue_running", "queue_pending")) {
            Object entries = queue.get(part);
            if (entries instanceof List<?> list) {
                for (Object e : list) {
                    if (e instanceof List<?> item && item.size() > 1 && promptId.equals(item.get(1))) {
                        poll(exchange, RUNNING, part);
                        return;
                    }
                }
            }
        }
        exchange.setProperty("comfyConfirmingLoss", true);
        poll(exchange, RUNNING, "not in ComfyUI's queue");
    }

    /**
     * vibevoice-api: the reply carries the speech as base64 inside JSON. It is decoded while it streams in, straight
     * into voice.wav, so not even this reply is held whole in memory.
     */
    public void vibevoiceSpeech(Exchange exchange) throws IOException {
        Path target = jobs.volume().jobDir(StepTracker.jobId(exchange)).resolve("voice.wav");
        boolean found = false;
        try (InputStream in = exchange.getIn().getMandatoryBody(InputStream.class);
             JsonParser p = json.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new StepFailedException("vibevoice-api answered with something other than a JSON object", true);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("audio_base64".equals(field) && value == JsonToken.VALUE_STRING) {
                    AtomicFiles.write(target, out -> p.readBinaryValue(out));
                    found = true;
                } else if (value.isNumeric()) {
                    StepTracker.details(exchange).put("vibevoice_" + field, p.getNumberValue());
                } else if (value == JsonToken.VALUE_STRING && SMALL_TEXT_FIELDS.contains(field)) {
                    StepTracker.details(exchange).put("vibevoice_" + field, p.getText());
                } else if (value.isScalarValue() && value != JsonToken.VALUE_STRING) {
                    StepTracker.details(exchange).put("vibevoice_" + field, p.getText());
                } else {
                    // any other text is skipped unread: a service could send a huge one
                    p.skipChildren();
                }
            }
        } catch (org.apache.camel.InvalidPayloadException e) {
            throw new StepFailedException("vibevoice-api sent no body", true);
        }
        if (!found) {
            throw new StepFailedException("vibevoice-api answered without audio_base64", true);
        }
        // the reply stream is spent and closed: from here on the body is just the file's name
        exchange.getIn().setBody(target.toString());
    }

    /**
     * infinitetalk-api: the reply names the video by a path under /output, the service's own folder. It must map,
     * through talkreel.infinitetalk.path-map, into a folder we see, and stay inside it once symbolic links are followed
     * (PathMap resolves it); the real file, a regular file, is then linked or copied into the job folder.
     */
    public void infinitetalkVideo(Exchange exchange) throws IOException {
        Map<?, ?> body = map(exchange, "infinitetalk-api");
        Object servicePath = body.get("video_path");
        Path local = infinitetalkPaths.toLocal(servicePath == null ? null : String.valueOf(servicePath));
        if (!Files.exists(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new StepFailedException("infinitetalk-api said the video is at " + servicePath + ", but " + local
                    + " does not exist: is its output folder mounted here (talkreel.infinitetalk.path-map)?");
        }
        if (!Files.isRegularFile(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new dev.talkreel.files.PathOutsideVolumeException("infinitetalk-api named " + servicePath
                    + " as its video, which is not a regular file");
        }
        AtomicFiles.publish(local, jobs.volume().jobDir(StepTracker.jobId(exchange)).resolve(pipeline.current(exchange).artifact()));
        Map<String, Object> details = StepTracker.details(exchange);
        details.put("service_video_path", servicePath);
        details.put("service_reported_resolution", body.get("resolution"));
        details.put("service_reported_frames", body.get("frame_count"));
    }

    /** ComfyUI names must be plain names inside its output folder: no absolute path, no "..". */
    static void checkComfyName(String filename, String subfolder, String type) {
        if (filename.isEmpty() || filename.startsWith("/") || filename.contains("..") || filename.contains("\\")
                || subfolder.startsWith("/") || subfolder.contains("..") || subfolder.contains("\\")
                || !List.of("output", "temp").contains(type)) {
            throw new dev.talkreel.files.PathOutsideVolumeException("ComfyUI named its output '" + subfolder + "/"
                    + filename + "' (type " + type + "), which is not a plain file in its output folder");
        }
    }

    private static String comfyError(Map<?, ?> status) {
        Object messages = status.get("messages");
        if (messages instanceof List<?> list) {
            for (Object m : list) {
                if (m instanceof List<?> pair && pair.size() > 1) {
                    Map<?, ?> data = asMap(pair.get(1));
                    if ("execution_error".equals(pair.get(0)) && data != null) {
                        return data.get("exception_type") + ": " + data.get("exception_message") + " (node "
                                + data.get("node_id") + " " + data.get("node_type") + ")";
                    }
                    if ("execution_interrupted".equals(pair.get(0))) {
                        return "the prompt was interrupted";
                    }
                }
            }
        }
        return "status " + status;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void poll(Exchange exchange, String state, String detail) {
        exchange.setProperty(Props.POLL_STATE, state);
        exchange.setProperty(Props.POLL_DETAIL, detail);
    }

    /** The reply as a JSON object, whether the route unmarshalled it already or not. */
    private static Map<?, ?> map(Exchange exchange, String service) {
        Object body = exchange.getIn().getBody();
        if (body instanceof Map<?, ?> m) {
            return m;
        }
        String text = exchange.getIn().getBody(String.class);
        try {
            Object parsed = text == null ? null : READER.readValue(text, Object.class);
            if (parsed instanceof Map<?, ?> m) {
                exchange.getIn().setBody(m);
                return m;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new StepFailedException(service + " answered with " + (text == null || text.isBlank() ? "no body"
                : "something other than a JSON object: " + FailureExplainer.serviceWords(text)), true);
    }

    private static Map<?, ?> asMap(Object o) {
        return o instanceof Map<?, ?> m ? m : null;
    }
}
