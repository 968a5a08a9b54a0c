package dev.talkreel.callback;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The hosts a job's callback_url may name ({@code talkreel.callback.allowed-hosts}: {@code host} or {@code host:port},
 * comma separated). talkreel never calls a URL a user typed unless an operator allowed its host: the default list is
 * empty, and every callback is then refused at intake with the reason.
 */
public final class CallbackHosts {
    private final List<String> allowed;

    public CallbackHosts(String setting) {
        this.allowed = setting == null ? List.of() : Arrays.stream(setting.split(",")).map(String::trim)
                .filter(h -> !h.isEmpty()).map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    public boolean any() {
        return !allowed.isEmpty();
    }

    /** Why {@code url} may not be called, or nothing when it may. */
    public Optional<String> refusal(String url) {
        if (allowed.isEmpty()) {
            return Optional.of("is not allowed: no callback host is (talkreel.callback.allowed-hosts)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            return Optional.of("must be an http:// or https:// URL with a host");
        }
        if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            return Optional.of("must not carry a user name, password or #fragment");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        boolean ok = allowed.stream().anyMatch(a -> a.equals(host) || a.equals(host + ":" + port));
        return ok ? Optional.empty() : Optional.of("names host " + host + ":" + port + ", which is not among the allowed "
                + "callback hosts (talkreel.callback.allowed-hosts)");
    }
}
