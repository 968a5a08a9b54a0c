package dev.talkreel.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallbackHostsTest {

    @Test
    void nothingIsAllowedUntilAnOperatorNamesAHost() {
        assertTrue(new CallbackHosts("").refusal("https://hooks.example.com/x").orElseThrow()
                .contains("talkreel.callback.allowed-hosts"));
    }

    @Test
    void onlyTheNamedHostsAndPortsPass() {
        CallbackHosts hosts = new CallbackHosts("hooks.example.com, 127.0.0.1:9000");
        assertEquals(Optional.empty(), hosts.refusal("https://hooks.example.com/done?x=1"));
        assertEquals(Optional.empty(), hosts.refusal("http://HOOKS.example.com:8080/"));
        assertEquals(Optional.empty(), hosts.refusal("http://127.0.0.1:9000/hook"));
        assertTrue(hosts.refusal("http://127.0.0.1:9001/hook").orElseThrow().contains("127.0.0.1:9001"));
        assertTrue(hosts.refusal("http://hooks.example.com.evil.net/").isPresent());
        assertTrue(hosts.refusal("http://169.254.169.254/latest/meta-data").isPresent());
    }

    @Test
    void otherSchemesCredentialsAndFragmentsAreRefused() {
        CallbackHosts hosts = new CallbackHosts("hooks.example.com");
        assertTrue(hosts.refusal("file:///etc/passwd").orElseThrow().contains("http://"));
        assertTrue(hosts.refusal("ftp://hooks.example.com/x").isPresent());
        assertTrue(hosts.refusal("http://user:pw@hooks.example.com/x").orElseThrow().contains("user name"));
        assertTrue(hosts.refusal("http://evil.net#@hooks.example.com/").isPresent());
        assertTrue(hosts.refusal("http://hooks.example.com/a b").orElseThrow().startsWith("is not a URL"));
    }
}
