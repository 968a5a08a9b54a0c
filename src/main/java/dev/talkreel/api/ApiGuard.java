package dev.talkreel.api;

import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

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
        if (!allows(authorizationHeader(exchange), null)) {
            throw new NotAuthorizedException(REQUIRED);
        }
    }

    /** Whether a request with this Authorization header (null when absent) may pass. */
    public boolean permits(String authorization) {
        return allows(authorization, null);
    }

    static final String REQUIRED = "a bearer token is required (Authorization: Bearer <talkreel.http.token>)";

    /**
     * Whether a request with this Authorization header, or else this {@code ?token=} (null where a URL may not carry
     * it), may pass. Only the event streams take the token from the URL: a browser's EventSource cannot send headers.
     */
    public boolean allows(String authorization, String queryToken) {
        if (token == null) {
            return true;
        }
        Matcher m = BEARER.matcher(authorization == null ? "" : authorization);
        String given = m.matches() ? m.group(1) : queryToken;
        return MessageDigest.isEqual(token, given == null ? new byte[0] : given.trim().getBytes(StandardCharsets.UTF_8));
    }

    /** "Bearer &lt;token&gt;", the scheme in any case (RFC 9110 11.1: schemes are case-insensitive). */
    private static final Pattern BEARER = Pattern.compile("(?i)\\s*bearer\\s+(\\S+)\\s*");

    /**
     * The request's real Authorization header, never a query parameter: platform-http copies query parameters into
     * the message headers, so {@code ?Authorization=Bearer x} would otherwise pass for the header. The header is read
     * from the Vert.x request itself; when that is not at hand, a request whose query names an authorization
     * parameter gets no header at all.
     */
    static String authorizationHeader(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage http && http.getRequest() != null) {
            String header = http.getRequest().getHeader("Authorization");
            return header == null ? "" : header;
        }
        for (String q : new String[] {Exchange.HTTP_RAW_QUERY, Exchange.HTTP_QUERY}) {
            for (String param : exchange.getIn().getHeader(q, "", String.class).split("[&;]")) {
                String name = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
                if (URLDecoder.decode(name, StandardCharsets.UTF_8).trim().equalsIgnoreCase("authorization")) {
                    return "";
                }
            }
        }
        String header = exchange.getIn().getHeader("Authorization", String.class);
        return header == null ? "" : header;
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
