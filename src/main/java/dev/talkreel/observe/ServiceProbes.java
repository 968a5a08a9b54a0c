package dev.talkreel.observe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether each service answers HTTP at its URL, for readiness. Bounded so that a scrape never hammers the services nor
 * hangs: all services are probed at once, each for at most {@code timeout}, and the answer is kept for
 * {@code cacheFor}; scrapes within that time get the kept answer. Any HTTP answer counts as reachable (a 404 at the
 * base URL still says the service is there); no answer in time, or a refused connection, is unreachable.
 */
public final class ServiceProbes {
    /** One service's last probe. */
    public record Probe(String service, URI url, boolean reachable, String detail) {
    }

    private final Supplier<Map<String, URI>> services;
    private final Duration timeout;
    private final Duration cacheFor;
    private final Clock clock;
    private final HttpClient http;
    // guarded by this: the last answer and when it was probed
    private Map<String, Probe> last = Map.of();
    private long lastAt;
    private boolean probed;

    /** {@code services}: name to base URL, asked at each probe (the steps are declared in routes/, read late). */
    public ServiceProbes(Supplier<Map<String, URI>> services, Duration timeout, Duration cacheFor, Clock clock) {
        this.services = services;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        this.clock = clock;
        // HTTP/1.1: the client's default HTTP/2 asks plain-HTTP servers to upgrade (h2c), which a service may not answer
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Probes now on a thread of its own, so that the first readiness scrape finds the answer made (or being made)
     * instead of waiting for the first connections and the HTTP client's first use. Called as talkreel starts.
     */
    public void probeInBackground() {
        Thread t = new Thread(this::probe, "service-probes");
        t.setDaemon(true);
        t.start();
    }

    /** The services' state, probed at most once per {@code cacheFor}. */
    public synchronized Map<String, Probe> probe() {
        long now = clock.millis();
        if (probed && now - lastAt < cacheFor.toMillis()) {
            return last;
        }
        Map<String, CompletableFuture<Probe>> running = new LinkedHashMap<>();
        services.get().forEach((name, url) -> running.put(name, probe(name, url)));
        Map<String, Probe> results = new LinkedHashMap<>();
        running.forEach((name, f) -> results.put(name, f.join()));
        last = Collections.unmodifiableMap(results);
        lastAt = clock.millis();
        probed = true;
        return last;
    }

    private CompletableFuture<Probe> probe(String name, URI url) {
        HttpRequest get = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        return http.sendAsync(get, HttpResponse.BodyHandlers.discarding())
                .orTimeout(timeout.toMillis() * 2, TimeUnit.MILLISECONDS)
                .handle((reply, error) -> error == null
                        ? new Probe(name, url, true, "HTTP " + reply.statusCode())
                        : new Probe(name, url, false, rootCause(error)));
    }

    /** What went wrong, without the future's wrapper: "ConnectException", "HttpConnectTimeoutException: ...". */
    private static String rootCause(Throwable error) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
