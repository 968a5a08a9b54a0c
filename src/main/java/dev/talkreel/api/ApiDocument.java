package dev.talkreel.api;

import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.openapi.OpenApiRestApiProcessorFactory;
import org.apache.camel.spi.RestApiProcessorFactory;
import org.apache.camel.spi.RestConfiguration;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.LoggerFactory;

/**
 * GET /api/openapi.json, made when first needed instead of while the routes start. camel-openapi-java writes the
 * document (JSON and YAML, through swagger's models) as its route initialises, about a tenth of a start; the API does
 * not need it to take jobs. The same factory makes the same document: found in the registry, this one is used by
 * Camel's {@code rest-api} endpoint in place of the one on the class path, and hands the request to the real processor,
 * made and started at its first use. {@link #prepare(long)} makes it in the background a little after talkreel has
 * started, so the first reader usually finds it ready.
 */
public final class ApiDocument implements RestApiProcessorFactory {
    private final RestApiProcessorFactory real = new OpenApiRestApiProcessorFactory();
    // what Camel asked for; the processor is made from it once (guarded by this)
    private Processor made;
    private Request request;

    private record Request(CamelContext camel, String contextPath, RestConfiguration configuration,
            Map<String, Object> parameters) {
    }

    @Override
    public synchronized Processor createApiProcessor(CamelContext camel, String contextPath,
            RestConfiguration configuration, Map<String, Object> parameters) {
        request = new Request(camel, contextPath, configuration, parameters);
        return this::process;
    }

    private void process(Exchange exchange) throws Exception {
        document().process(exchange);
    }

    /**
     * Makes the document on a thread of its own, {@code afterMs} from now: not while the start's last work (the first
     * scans, the first readiness answers) needs the CPU. A failure is left to the first request, which reports it.
     */
    public void prepare(long afterMs) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(afterMs);
                document();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LoggerFactory.getLogger("talkreel.api").warn("the OpenAPI document could not be made yet: {}",
                        e.toString());
            }
        }, "api-document");
        t.setDaemon(true);
        t.start();
    }

    private synchronized Processor document() throws Exception {
        if (made == null) {
            if (request == null) {
                throw new IllegalStateException("no rest-api route asked for the OpenAPI document");
            }
            Processor p = real.createApiProcessor(request.camel(), request.contextPath(), request.configuration(),
                    request.parameters());
            CamelContextAware.trySetCamelContext(p, request.camel());
            ServiceHelper.startService(p);
            made = p;
        }
        return made;
    }
}
