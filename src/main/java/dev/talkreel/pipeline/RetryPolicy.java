package dev.talkreel.pipeline;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Decides, for the error handler's {@code retryWhile}, whether a failed call is worth another try: connection
 * refused or reset, timeouts, 5xx and malformed replies are; 4xx, a task the service reports failed, a path outside
 * the volume and out-of-GPU-memory are not (trying again at once would fail the same way). Tries are counted per
 * step, from {@code talkreel.<service>.retry.attempts}.
 */
public final class RetryPolicy {
    private final Map<PipelineStep, Integer> attempts;

    public RetryPolicy(Map<PipelineStep, Integer> attempts) {
        this.attempts = attempts;
    }

    /** Called by retryWhile with the exchange whose call failed. */
    public boolean shouldRetry(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (error == null) {
            error = exchange.getException();
        }
        int retriesSoFar = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        PipelineStep step = stepOf(exchange);
        int allowed = step == null ? 1 : attempts.getOrDefault(step, 1);
        return retriesSoFar + 1 < allowed && isRetryable(error);
    }

    public static boolean isRetryable(Throwable error) {
        Throwable t = FailureExplainer.meaningful(error);
        if (t instanceof StepFailedException failed) {
            return failed.retryable();
        }
        if (t instanceof HttpOperationFailedException http) {
            int code = http.getStatusCode();
            return (code >= 500 || code == 408 || code == 429) && !isOutOfMemory(http.getResponseBody());
        }
        if (t instanceof com.fasterxml.jackson.core.JsonProcessingException) {
            return true;
        }
        return t instanceof IOException;
    }

    static boolean isOutOfMemory(String body) {
        String b = body == null ? "" : body.toLowerCase(Locale.ROOT);
        return b.contains("out of memory") || b.contains("outofmemory");
    }

    static PipelineStep stepOf(Exchange exchange) {
        String step = exchange.getProperty(Props.STEP, String.class);
        try {
            return step == null ? null : PipelineStep.of(step);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
