package dev.talkreel.api;

import dev.talkreel.Beside;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The Vert.x instance the API's HTTP server runs on, with {@link ConnectionGuard} built into that server.
 * <p>
 * Why a wrapper: camel-platform-http-main (4.17) creates its Vert.x HttpServer with {@code new HttpServerOptions()}
 * and offers no option for timeouts, a connection limit or a connection handler; but it uses the one {@link Vertx}
 * found in the registry. So talkreel binds this one, whose {@code createHttpServer(options)} adds the idle timeout,
 * installs the guard's connection handler and wraps the request handler (in the guard, then the {@link RequestGate}:
 * 503 while starting, the token for /observe/); every other call goes straight to the real
 * Vert.x. Added as a Camel service: the sweep runs while Camel does, and Vert.x is closed when the context has
 * stopped (after the HTTP server, a static service stopped among the last: closing it earlier broke its stop).
 */
public final class GuardedVertx extends ServiceSupport implements CamelContextAware {
    private final ConnectionGuard guard;
    private final RequestGate gate;
    private final CompletableFuture<Vertx> real;
    private final Vertx proxy;
    private CamelContext camel;
    private ScheduledExecutorService sweeper;

    public GuardedVertx(ConnectionGuard guard, RequestGate gate) {
        this.guard = guard;
        this.gate = gate;
        // Vert.x starts its event loops and resolver in about 0.1 s: made beside the boot, it is ready long before
        // the HTTP server is created, as the routes start
        this.real = Beside.supply("talkreel-vertx", Vertx::vertx);
        this.proxy = (Vertx) Proxy.newProxyInstance(GuardedVertx.class.getClassLoader(),
                new Class<?>[] {VertxInternal.class}, new VertxCalls());
    }

    /** The Vert.x to bind in the registry (platform-http looks it up by type). */
    public Vertx vertx() {
        return proxy;
    }

    public ConnectionGuard guard() {
        return guard;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        if (camel == camelContext) {
            return;
        }
        this.camel = camelContext;
        camelContext.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext context) {
                real().close();
            }
        });
    }

    @Override
    public CamelContext getCamelContext() {
        return camel;
    }

    @Override
    protected void doStart() {
        sweeper = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "http-guard");
        guard.start(sweeper);
    }

    @Override
    protected void doStop() {
        if (sweeper != null) {
            camel.getExecutorServiceManager().shutdown(sweeper);
            sweeper = null;
        }
    }

    /** Every call goes to the real Vert.x, except the creation of an HTTP server, which gets the guard. */
    private final class VertxCalls implements InvocationHandler {
        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            if ("createHttpServer".equals(method.getName()) && args != null && args.length == 1
                    && args[0] instanceof HttpServerOptions options) {
                // without h2c, Vert.x sets a connection up as HTTP/1 at once; with it (its default), only once the
                // first request's headers are complete (it looks for "Upgrade: h2c"), too late for the guard
                return guarded(real().createHttpServer(new HttpServerOptions(options)
                        .setIdleTimeout((int) guard.limits().idleTimeoutMs())
                        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                        .setHttp2ClearTextEnabled(false)));
            }
            if ("equals".equals(method.getName()) && args != null && args.length == 1) {
                return self == args[0];
            }
            if ("hashCode".equals(method.getName()) && args == null) {
                return System.identityHashCode(self);
            }
            return call(real(), method, args);
        }
    }

    private Vertx real() {
        return Beside.result(real);
    }

    /** The server with the guard's connection handler, and its request handler wrapped by the guard. */
    private HttpServer guarded(HttpServer server) {
        server.connectionHandler(guard::connected);
        return (HttpServer) Proxy.newProxyInstance(GuardedVertx.class.getClassLoader(), new Class<?>[] {HttpServer.class},
                (self, method, args) -> {
                    if ("requestHandler".equals(method.getName()) && args != null && args.length == 1) {
                        @SuppressWarnings("unchecked")
                        Handler<HttpServerRequest> handler = (Handler<HttpServerRequest>) args[0];
                        server.requestHandler(guard.requests(gate.wrap(handler)));
                        return self;
                    }
                    Object result = call(server, method, args);
                    return result == server ? self : result;
                });
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
