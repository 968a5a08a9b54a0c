package dev.talkreel.service.comfyui;

import dev.talkreel.files.PathOutsideVolumeException;
import dev.talkreel.pipeline.FailureExplainer;
import dev.talkreel.pipeline.RetryPolicy;
import dev.talkreel.service.JsonReply;
import dev.talkreel.service.PollResult;
import dev.talkreel.service.Submitted;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ComfyUI's replies (docs/SERVICES.md §1). Lenient about shapes ComfyUI has used over time (old versions had no
 * status block), strict about anything that would make talkreel read outside ComfyUI's output folder.
 */
public final class ComfyuiReplies {
    private static final String SERVICE = "ComfyUI";
    /** {} is also what ComfyUI says of a prompt it lost: its queue is asked on the first poll and every 10th. */
    private static final int ASK_QUEUE_EVERY = 10;
    private final String outputNode;
    private final long oomCooldownMs;

    public ComfyuiReplies(String outputNode, long oomCooldownMs) {
        this.outputNode = outputNode;
        this.oomCooldownMs = oomCooldownMs;
    }

    /**
     * {"prompt_id", "number", "node_errors"} from a 200 to POST /prompt. ComfyUI answers 200 even when some output
     * nodes are invalid, and renders the valid ones: the prompt is then talkreel's to drop. Errors on the output node
     * make a refusal (stored first, then dropped and failed by the route); errors elsewhere are a warning in the
     * step's record, and the portrait still comes.
     */
    public Submitted submitted(String reply) {
        Map<?, ?> body = JsonReply.object(reply, SERVICE);
        String id = JsonReply.requiredText(body, "prompt_id", SERVICE, "prompt");
        Map<String, Object> facts = new LinkedHashMap<>(JsonReply.facts("queue_number", body.get("number")));
        List<String> errored = ComfyuiRefusals.nodeIds(body.get("node_errors"));
        if (errored.isEmpty()) {
            return new Submitted(id, facts);
        }
        String words = ComfyuiRefusals.nodeErrors(body.get("node_errors"));
        String said = words.isEmpty() ? "nodes " + errored : words;
        if (errored.contains(outputNode)) {
            return new Submitted(id, facts, "ComfyUI refused the workflow's output node " + outputNode + ": " + said);
        }
        facts.put("comfyui_warning", "ComfyUI refused nodes the portrait does not need, and renders the rest: " + said);
        return new Submitted(id, facts);
    }

    /**
     * The words for a 400 from POST /prompt (a missing model, an invalid input, an unknown node class): the nodes,
     * their class_type, the inputs and what ComfyUI said of them, from node_errors. Another try would meet the same
     * answer: the route fails the step with these words, unretried.
     */
    public String refusal(String reply) {
        Map<?, ?> body = JsonReply.parseObject(reply);
        if (body == null) {
            return "ComfyUI refused the workflow: " + FailureExplainer.serviceWords(reply);
        }
        return ComfyuiRefusals.refusal(body.get("error"), body.get("node_errors"));
    }

    /**
     * GET /history/{id}: {} until the prompt has finished (and for an id it never had). Done means an image on the
     * output node; an error status means failed, with the exception ComfyUI reported; out of GPU memory is submitted
     * once more after a cool-down, unless {@code oomRetried} already.
     *
     * @param polls          the polls made so far: the queue is asked on the first and every 10th
     * @param confirmingLoss the prompt was just found in no queue: still not in history means ComfyUI lost it
     */
    public PollResult history(String reply, String promptId, int polls, boolean confirmingLoss, Boolean oomRetried) {
        Map<?, ?> entry = JsonReply.asMap(JsonReply.object(reply, SERVICE).get(promptId));
        if (entry == null || entry.isEmpty()) {
            if (confirmingLoss) {
                return PollResult.unknown("ComfyUI has prompt " + promptId + " neither in its queue nor in its history");
            }
            PollResult running = PollResult.running("not in history yet", null);
            return polls <= 1 || polls % ASK_QUEUE_EVERY == 0 ? running.askingQueue() : running;
        }
        Map<?, ?> status = JsonReply.asMap(entry.get("status"));
        if (status != null && "error".equals(status.get("status_str"))) {
            String error = error(status);
            if (RetryPolicy.looksLikeOutOfMemory(error) && !Boolean.TRUE.equals(oomRetried)) {
                return PollResult.unknown("ComfyUI ran out of GPU memory (" + error + "); trying once more")
                        .afterCoolDown(oomCooldownMs);
            }
            return PollResult.failed("ComfyUI could not render the portrait: " + error);
        }
        Map<?, ?> outputs = JsonReply.asMap(entry.get("outputs"));
        Map<?, ?> node = outputs == null ? null : JsonReply.asMap(outputs.get(outputNode));
        List<?> images = node == null || !(node.get("images") instanceof List<?> l) ? null : l;
        if (images != null && !images.isEmpty()) {
            Map<?, ?> image = JsonReply.asMap(images.get(0));
            String filename = String.valueOf(image == null ? null : image.get("filename"));
            String subfolder = image == null || image.get("subfolder") == null ? "" : String.valueOf(image.get("subfolder"));
            String type = image == null || image.get("type") == null ? "output" : String.valueOf(image.get("type"));
            checkName(filename, subfolder, type);
            return PollResult.done("filename=" + encode(filename) + "&subfolder=" + encode(subfolder) + "&type="
                    + encode(type), JsonReply.facts("comfyui_file", subfolder.isEmpty() ? filename : subfolder + "/" + filename));
        }
        if (status != null && Boolean.TRUE.equals(status.get("completed"))) {
            return PollResult.failed("ComfyUI finished the prompt but node " + outputNode + " saved no image "
                    + "(check talkreel.comfyui.bind.output)");
        }
        return PollResult.running(null, null);
    }

    /** GET /queue: whether the prompt is running or waiting there. */
    public boolean queued(String reply, String promptId) {
        Map<?, ?> queue = JsonReply.object(reply, SERVICE);
        for (String part : List.of("queue_running", "queue_pending")) {
            if (queue.get(part) instanceof List<?> list) {
                for (Object e : list) {
                    if (e instanceof List<?> item && item.size() > 1 && promptId.equals(item.get(1))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** ComfyUI names must be plain names inside its output folder: no absolute path, no "..". */
    static void checkName(String filename, String subfolder, String type) {
        if (filename.isEmpty() || filename.startsWith("/") || filename.contains("..") || filename.contains("\\")
                || subfolder.startsWith("/") || subfolder.contains("..") || subfolder.contains("\\")
                || !List.of("output", "temp").contains(type)) {
            throw new PathOutsideVolumeException("ComfyUI named its output '" + subfolder + "/" + filename + "' (type "
                    + type + "), which is not a plain file in its output folder");
        }
    }

    private static String error(Map<?, ?> status) {
        if (status.get("messages") instanceof List<?> list) {
            for (Object m : list) {
                if (m instanceof List<?> pair && pair.size() > 1) {
                    Map<?, ?> data = JsonReply.asMap(pair.get(1));
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
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
