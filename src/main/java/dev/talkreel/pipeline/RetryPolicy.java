package dev.talkreel.pipeline;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The part of retrying that Camel's redeliveryPolicy cannot say, for the retryWhile of the retried errors in
 * errors.camel.yaml (which errors those are is said there, by type): every step has its own policy
 * (talkreel.&lt;service&gt;.retry.*), a deadline that spans all tries counted from the step's start, and one more try
 * after a cool-down when the service ran out of GPU memory. The pause (doubling up to a ceiling) is set here too:
 * a routeConfiguration cannot be made per service, so its redeliveryPolicy could hold only one.
 */
public final class RetryPolicy {
    private static final String OOM_RETRIED = "talkreelOomRetried";
    /** How many times the failing call was made, for the failure record. */
    public static final String TRIES = "talkreelTries";
    private final Pipeline pipeline;
    private final PerService<Policy> policies;

    /** One step's retry settings. */
    public record Policy(int attempts, long initialDelayMs, long maxDelayMs, long deadlineMs, long oomCooldownMs) {
        /** The pause before retry number {@code retry} (1 = the first retry): doubling, up to the ceiling. */
        long delay(int retry) {
            long d = initialDelayMs << Math.min(retry - 1, 30);
            return Math.min(d < 0 ? maxDelayMs : d, maxDelayMs);
        }
    }

    /** Told of each retry: the step and the simple class name of the error (metrics). */
    private final BiConsumer<String, String> retried;
    /** Whether the retry goes to another GPU host than the one that failed (GpuHosts#retriesElsewhere). */
    private final Predicate<Exchange> elsewhere;

    public RetryPolicy(Pipeline pipeline, PerService<Policy> policies) {
        this(pipeline, policies, (step, errorClass) -> { }, exchange -> false);
    }

    public RetryPolicy(Pipeline pipeline, PerService<Policy> policies, BiConsumer<String, String> retried,
                       Predicate<Exchange> elsewhere) {
        this.pipeline = pipeline;
        this.policies = policies;
        this.retried = retried;
        this.elsewhere = elsewhere;
    }

    /** Called by retryWhile with the exchange whose call failed; sets the pause before the next try. */
    public boolean shouldRetry(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (error == null) {
            error = exchange.getException();
        }
        StepDefinition step = pipeline.stepOf(exchange);
        if (step == null || error == null) {
            return false;
        }
        if (error instanceof HttpOperationFailedException http && !isPassing(http.getStatusCode())) {
            return false;
        }
        Policy policy = policies.get(step.service());
        // the error handler numbers the try it is about to make: 1 for the first retry
        int retries = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        exchange.setProperty(TRIES, retries);
        long delay;
        if (isOutOfMemory(error)) {
            if (Boolean.TRUE.equals(exchange.getProperty(OOM_RETRIED))) {
                return false;
            }
            exchange.setProperty(OOM_RETRIED, true);
            delay = policy.oomCooldownMs();
        } else if (retries >= policy.attempts()) {
            return false;
        } else if (elsewhere.test(exchange)) {
            // its host went out of rotation and another is up: the back-off is for a service that may recover,
            // and the next try is not on that one
            delay = 0;
        } else {
            delay = policy.delay(retries);
        }
        if (elapsedMs(exchange) + delay > policy.deadlineMs()) {
            exchange.setProperty(Props.RETRY_STOP_REASON, "the step's deadline of " + policy.deadlineMs() / 1000
                    + " s (talkreel." + step.service() + ".deadline-ms) leaves no time for another try");
            return false;
        }
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, delay);
        retried.accept(step.id(), error.getClass().getSimpleName());
        return true;
    }

    /** An HTTP status that says the trouble may pass: the service erred (5xx), timed out (408) or is busy (429). */
    public static boolean isPassing(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    /** Out of GPU memory, in any service's words. */
    public static boolean isOutOfMemory(Throwable error) {
        Throwable t = FailureExplainer.meaningful(error);
        String text = t instanceof HttpOperationFailedException http ? http.getResponseBody() : t.getMessage();
        return looksLikeOutOfMemory(text);
    }

    public static boolean looksLikeOutOfMemory(String text) {
        String b = text == null ? "" : text.toLowerCase(Locale.ROOT);
        return b.contains("out of memory") || b.contains("outofmemory");
    }

    static long elapsedMs(Exchange exchange) {
        Long started = exchange.getProperty(Props.STEP_STARTED_NANOS, Long.class);
        return started == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }
}
