package dev.talkreel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How often and after how long a failure the error handler retries (errors.camel.yaml says by type which it does), and
 * when the step's deadline stops them: no routes run.
 */
class RetryPolicyTest {
    /** The voice step as routes/ would declare it, read by a Pipeline from a context that is never started. */
    private static final String VOICE = """
            - templatedRoute:
                routeTemplateRef: step
                routeId: watch-voice
                parameters:
                  - { name: step, value: voice }
                  - { name: after, value: intake }
                  - { name: service, value: vibevoice }
                  - { name: artifact, value: voice-8s.wav }
                  - { name: publish, value: "true" }
            """;
    private static final CamelContext CAMEL = new DefaultCamelContext();
    @TempDir
    static Path jobs;
    private static RetryPolicy policy;

    /** 3 tries, 100 ms doubling up to 300 ms, a 10 s deadline, 50 ms cool-down after out of GPU memory. */
    @BeforeAll
    static void declareVoice() throws Exception {
        PluginHelper.getRoutesLoader(CAMEL).loadRoutes(List.of(
                ResourceHelper.resolveResource(CAMEL, "file:routes/template-step.camel.yaml"),
                ResourceHelper.fromString("voice.camel.yaml", VOICE)));
        policy = new RetryPolicy(new Pipeline(CAMEL, jobs),
                new PerService<>(service -> new RetryPolicy.Policy(3, 100, 300, 10_000, 50)));
    }

    @AfterAll
    static void close() throws Exception {
        CAMEL.close();
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
        Exchange exchange = new DefaultExchange(CAMEL);
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
