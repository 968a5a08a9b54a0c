package dev.talkreel.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.HttpUtils;

/**
 * The first look at every request of the API server, before any route.
 * <ul>
 * <li><b>Starting:</b> camel-platform-http opens its server before the routes exist, so a request in the first moments
 * met 404 and a submitted job was lost to its client. Until {@link #open()} (called once every route has started)
 * every request gets 503 with {@code Retry-After}, a status clients and load balancers retry.</li>
 * <li><b>/observe/ and /api/openapi.json</b>: health and metrics are served by camel-main's management server on
 * this same port, and the OpenAPI document by a route Camel makes, all outside the REST routes and so outside their
 * {@link ApiGuard} check; the same bearer-token rule is applied here.</li>
 * </ul>
 */
public final class RequestGate {
    /** Paths served by the management server (health, metrics). */
    public static final String OBSERVE = "/observe/";
    /** The OpenAPI document (restConfiguration apiContextPath in routes/api.camel.yaml). */
    public static final String API_DOCUMENT = "/api/openapi.json";
    private final ApiGuard access;
    private final int retryAfterSeconds;
    private volatile boolean open;

    public RequestGate(ApiGuard access, int retryAfterSeconds) {
        this.access = access;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Every route has started: requests go through from now on. */
    public void open() {
        open = true;
    }

    /** Wraps the server's request handler. */
    public Handler<HttpServerRequest> wrap(Handler<HttpServerRequest> next) {
        return request -> {
            if (!open) {
                // the body (if any) is not read: the connection is closed rather than left half consumed
                refuse(request, 503)
                        .putHeader("Retry-After", String.valueOf(retryAfterSeconds))
                        .putHeader("Connection", "close")
                        .end(BODY.formatted("starting", "talkreel is starting; try again in " + retryAfterSeconds
                                + " s"));
                return;
            }
            if (outsideRoutes(request.path()) && !access.permits(request.getHeader("Authorization"))) {
                refuse(request, 401)
                        .putHeader("WWW-Authenticate", "Bearer")
                        .end(BODY.formatted("unauthorized", "a bearer token is required"));
                return;
            }
            next.handle(request);
        };
    }

    /**
     * Whether the path is one the routes do not guard, as the router will see it: normalized as Vert.x Web does
     * ({@code //observe/x}, {@code /api/../observe/x} and {@code /observe/%78} all reach /observe/x), a trailing slash
     * ignored, case as written (routes match case-sensitively).
     */
    static boolean outsideRoutes(String rawPath) {
        if (rawPath == null) {
            return false;
        }
        String path = HttpUtils.normalizePath(rawPath);
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.equals(OBSERVE.substring(0, OBSERVE.length() - 1)) || path.startsWith(OBSERVE)
                || path.equals(API_DOCUMENT);
    }

    private static final String BODY = "{\"error\": \"%s\", \"message\": \"%s\"}";

    private static HttpServerResponse refuse(HttpServerRequest request, int status) {
        return request.response().setStatusCode(status).putHeader("Content-Type", "application/json");
    }
}
