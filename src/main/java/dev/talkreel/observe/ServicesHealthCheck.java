package dev.talkreel.observe;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: each service the steps call answers at its URL. A service down is not talkreel down: jobs wait and retry
 * (their steps' own policy) and carry on when it is back, so the check stays UP and says "degraded", naming each
 * unreachable service with its host and port in the message (Camel's health answer escapes a message's slashes
 * twice), and every service's full URL and state in the details ({@code ?data=true}).
 */
public final class ServicesHealthCheck extends AbstractHealthCheck {
    private final ServiceProbes probes;

    public ServicesHealthCheck(ServiceProbes probes) {
        super("talkreel", "services");
        this.probes = probes;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, ServiceProbes.Probe> state = probes.probe();
        List<ServiceProbes.Probe> down = state.values().stream().filter(p -> !p.reachable()).toList();
        state.values().forEach(p -> {
            builder.detail(p.service() + ".url", p.url().toString());
            builder.detail(p.service() + ".reachable", p.reachable());
            builder.detail(p.service() + ".probe", p.detail());
        });
        builder.detail("degraded", !down.isEmpty());
        builder.up().message(down.isEmpty() ? "every service answers: " + String.join(", ", state.keySet())
                : "degraded: " + down.stream().map(p -> p.service() + " unreachable at " + p.url().getAuthority()
                        + " (" + p.detail() + ")").collect(Collectors.joining("; ")));
    }
}
