package dev.talkreel.service.yttools;

import dev.talkreel.pipeline.FailureExplainer;
import dev.talkreel.pipeline.RetryPolicy;
import dev.talkreel.pipeline.StepFailedException;
import dev.talkreel.service.ServiceReplyException;
import dev.talkreel.service.JsonReply;
import dev.talkreel.service.PollResult;
import dev.talkreel.service.Submitted;
import java.util.Map;

/** yttools' replies (docs/SERVICES.md §4): the task id, and what a status poll says. */
public final class YttoolsReplies {
    private static final String SERVICE = "yttools";

    /** {"task_id": ...} from POST /api/download. */
    public Submitted submitted(String reply) {
        return new Submitted(JsonReply.requiredText(JsonReply.object(reply, SERVICE), "task_id", SERVICE, "download"),
                null);
    }

    /**
     * GET /api/status/{id}, whatever its status code: 404 means the task is unknown (yttools restarted), and the
     * loop submits it again; any other error status fails the call (retried if 5xx).
     */
    public PollResult status(int code, String reply, String taskId) {
        if (code == 404) {
            return PollResult.unknown("yttools no longer knows task " + taskId);
        }
        if (code >= 400) {
            String message = "yttools answered HTTP " + code + " to a status poll: " + FailureExplainer.serviceWords(reply);
            // as for every call (errors.camel.yaml): trouble that may pass is retried; a refusal would meet the same
            throw RetryPolicy.isPassing(code) ? new ServiceReplyException(message) : new StepFailedException(message);
        }
        Map<?, ?> body = JsonReply.object(reply, SERVICE);
        Object status = body.get("status");
        if ("completed".equals(status)) {
            return PollResult.done(null, null);
        }
        if ("failed".equals(status)) {
            return PollResult.failed("yttools could not cut the audio: " + body.get("error"));
        }
        if ("processing".equals(status) || "pending".equals(status) || "queued".equals(status)) {
            return PollResult.running(null, JsonReply.facts("progress", body.get("progress")));
        }
        throw new ServiceReplyException("yttools reported an unknown status '" + status + "'");
    }
}
