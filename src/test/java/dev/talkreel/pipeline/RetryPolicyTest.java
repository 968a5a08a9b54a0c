package dev.talkreel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.files.TransferLimitException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Which failures get another try, after how long, and when the step's deadline stops them: no routes involved. */
class RetryPolicyTest {
    /** 3 tries, 100 ms doubling up to 300 ms, a 10 s deadline, 50 ms cool-down after out of GPU memory. */
    private final RetryPolicy policy = new RetryPolicy(Map.of(PipelineStep.VOICE,
            new RetryPolicy.Policy(3, 100, 300, 10_000, 50)));

    @Test
    void connectionTroubleServerErrorsAndMalformedRepliesAreRetried() {
        assertTrue(RetryPolicy.isRetryable(new ConnectException("Connection refused")));
        assertTrue(RetryPolicy.isRetryable(new IOException("Connection reset")));
        assertTrue(RetryPolicy.isRetryable(http(503, "busy")));
        assertTrue(RetryPolicy.isRetryable(http(429, "slow down")));
        assertTrue(RetryPolicy.isRetryable(new StepFailedException("half a reply", true)));
    }

    @Test
    void clientErrorsFailedTasksAndTransferLimitsAreNot() {
        assertFalse(RetryPolicy.isRetryable(http(400, "bad request")));
        assertFalse(RetryPolicy.isRetryable(http(404, "no such thing")));
        assertFalse(RetryPolicy.isRetryable(new StepFailedException("the task failed")));
        assertFalse(RetryPolicy.isRetryable(new TransferLimitException("over talkreel.vibevoice.max-reply-bytes")));
    }

    @Test
    void outOfGpuMemoryIsRecognisedInAnyServicesWords() {
        assertTrue(RetryPolicy.isOutOfMemory(http(500, "torch.OutOfMemoryError: CUDA out of memory")));
        assertTrue(RetryPolicy.isOutOfMemory(new StepFailedException("ComfyUI: Allocation on device out of memory")));
        assertFalse(RetryPolicy.isOutOfMemory(http(500, "internal error")));
    }

    @Test
    void theDelayDoublesUpToItsCeiling() {
        RetryPolicy.Policy p = new RetryPolicy.Policy(10, 100, 300, 10_000, 50);
        assertEquals(100, p.delay(1));
        assertEquals(200, p.delay(2));
        assertEquals(300, p.delay(3));
        assertEquals(300, p.delay(40), "no overflow on a long run of retries");
    }

    @Test
    void aRetryableFailureIsTriedAgainUntilTheStepsTriesAreSpent() {
        Exchange first = failed(new ConnectException("Connection refused"), 1);
        assertTrue(policy.shouldRetry(first));
        assertEquals(100L, first.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class));
        assertEquals(1, first.getProperty(RetryPolicy.TRIES, Integer.class));

        Exchange second = failed(new ConnectException("Connection refused"), 2);
        assertTrue(policy.shouldRetry(second));
        assertEquals(200L, second.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class));

        assertFalse(policy.shouldRetry(failed(new ConnectException("Connection refused"), 3)), "3 tries in all");
        assertFalse(policy.shouldRetry(failed(http(404, "gone"), 1)), "never for a 404");
    }

    @Test
    void outOfGpuMemoryIsRetriedOnceAfterItsCoolDown() {
        Exchange exchange = failed(http(500, "CUDA out of memory"), 1);
        assertTrue(policy.shouldRetry(exchange));
        assertEquals(50L, exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class));
        exchange.getIn().setHeader(Exchange.REDELIVERY_COUNTER, 2);
        assertFalse(policy.shouldRetry(exchange), "once");
    }

    @Test
    void noTryStartsThatTheStepsDeadlineLeavesNoTimeFor() {
        Exchange late = failed(new ConnectException("Connection refused"), 1);
        late.setProperty(Props.STEP_STARTED_NANOS, System.nanoTime() - TimeUnit.SECONDS.toNanos(10));

        assertFalse(policy.shouldRetry(late));
        assertTrue(late.getProperty(Props.RETRY_STOP_REASON, String.class).contains("deadline-ms"),
                String.valueOf(late.getProperty(Props.RETRY_STOP_REASON)));
    }

    private static Exchange failed(Throwable error, int retry) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(Props.STEP, "voice");
        exchange.setProperty(Props.STEP_STARTED_NANOS, System.nanoTime());
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, error);
        exchange.getIn().setHeader(Exchange.REDELIVERY_COUNTER, retry);
        return exchange;
    }

    private static HttpOperationFailedException http(int status, String body) {
        return new HttpOperationFailedException("http://127.0.0.1:8100/api/tts", status, "status " + status, null,
                Map.of(), body);
    }
}
