package dev.talkreel.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talkreel.files.PathOutsideVolumeException;
import dev.talkreel.files.TransferLimitException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * Turns an exception into what a person reads in the job record: the error class, and one sentence that says which
 * service did what, in the service's own words where it gave any.
 */
public final class FailureExplainer {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FailureExplainer() {
    }

    /** The error class (the root cause's simple name) and the human message. */
    public record Explanation(String errorClass, String message) {
    }

    public static Explanation explain(Throwable error, StepDefinition step) {
        Throwable cause = meaningful(error);
        String service = step == null ? "the service" : step.serviceName();
        String message;
        if (cause instanceof HttpOperationFailedException http && http.getStatusCode() >= 300 && http.getStatusCode() < 400) {
            // talkreel calls the URL it was given and follows no redirect: the URL is likely out of date
            message = service + " answered HTTP " + http.getStatusCode() + " to " + http.getUri() + ", a redirect to "
                    + (http.getRedirectLocation() == null ? "no Location at all" : http.getRedirectLocation())
                    + ", which talkreel does not follow: check the service's URL in talkreel's settings";
        } else if (cause instanceof HttpOperationFailedException http) {
            String said = serviceWords(http.getResponseBody());
            message = service + " answered HTTP " + http.getStatusCode() + " to " + http.getUri()
                    + (said.isEmpty() ? "" : ": " + said);
        } else if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
            message = service + " is not reachable (" + cause.getMessage() + "): is it running, and is its URL right?";
        } else if (cause instanceof SocketTimeoutException) {
            message = service + " did not answer in time (" + cause.getMessage() + ")";
        } else if (cause instanceof NoHttpResponseException) {
            message = service + " closed the connection without answering";
        } else if (cause instanceof JsonProcessingException json) {
            message = service + " sent a reply that is not the JSON expected: " + json.getOriginalMessage();
        } else if (cause instanceof TransferLimitException) {
            message = cause.getMessage();
        } else if (cause instanceof PathOutsideVolumeException) {
            message = service + " returned a path talkreel may not use: " + cause.getMessage();
        } else if (cause instanceof StepFailedException) {
            message = cause.getMessage();
        } else {
            message = (step == null ? "" : "step " + step.id() + " failed: ") + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        return new Explanation(cause.getClass().getSimpleName(), message);
    }

    /** Skips Camel's wrappers to the exception that says what happened. */
    static Throwable meaningful(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t
                && (t instanceof CamelExecutionException
                || t instanceof RuntimeCamelException
                || t.getClass().getName().startsWith("org.apache.camel.") && !(t instanceof HttpOperationFailedException))) {
            t = t.getCause();
        }
        return t;
    }

    /** The message a service put in its error body: FastAPI's detail, ComfyUI's error.message, or the text itself. */
    public static String serviceWords(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode json = MAPPER.readTree(body);
            JsonNode detail = json.path("detail");
            if (detail.isTextual()) {
                return cut(detail.asText());
            }
            if (detail.isArray() && detail.size() > 0) {
                JsonNode first = detail.get(0);
                return cut(first.path("loc").toString() + " " + first.path("msg").asText());
            }
            JsonNode error = json.path("error");
            if (error.isObject()) {
                return cut(error.path("message").asText() + " " + error.path("details").asText()).trim();
            }
            if (error.isTextual()) {
                return cut(error.asText());
            }
        } catch (JsonProcessingException e) {
            // not JSON: the text itself is the service's word
        }
        return cut(body.trim().replaceAll("\\s+", " "));
    }

    private static String cut(String s) {
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
