package dev.talkreel.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The token rule of the paths outside the REST routes cannot be walked around by writing the path another way. */
class RequestGateTest {
    @Test
    void everySpellingOfAGuardedPathIsGuarded() {
        for (String path : new String[] {"/observe/metrics", "//observe/metrics", "/api/../observe/metrics",
                "/observe/%6detrics", "/observe/health/ready/", "/observe", "/observe/", "/api/openapi.json",
                "/api/openapi.json/", "/api//openapi.json", "/x/../api/openapi.json"}) {
            assertTrue(RequestGate.outsideRoutes(path), path);
        }
        for (String path : new String[] {"/api/jobs", "/api/jobs/observe/x", "/", "/observer", "/api/openapi.jsonx"}) {
            assertFalse(RequestGate.outsideRoutes(path), path);
        }
    }
}
