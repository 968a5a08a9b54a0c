package dev.talkreel.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.Exchange;

/**
 * Who may use the API. On loopback (the default) anyone on this machine may; bound to any other address, talkreel
 * refuses to start without {@code talkreel.http.token}, and every request must then carry
 * {@code Authorization: Bearer <token>}.
 */
public final class ApiGuard {
    private final byte[] token;

    public ApiGuard(String host, String token) {
        boolean loopback = isLoopback(host);
        if (!loopback && (token == null || token.isBlank())) {
            throw new IllegalStateException("talkreel.http.host is " + host + ", which is not loopback: set "
                    + "talkreel.http.token (TALKREEL_HTTP_TOKEN) so that the API requires a bearer token");
        }
        this.token = token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
    }

    /** Called before every API route; refuses a request without the right token when one is configured. */
    public void authorize(Exchange exchange) {
        if (token == null) {
            return;
        }
        String header = exchange.getIn().getHeader("Authorization", String.class);
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(token, given)) {
            throw new NotAuthorizedException("a bearer token is required (Authorization: Bearer <talkreel.http.token>)");
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A request without the configured bearer token: 401. */
    public static final class NotAuthorizedException extends RuntimeException {
        public NotAuthorizedException(String message) {
            super(message);
        }
    }
}
