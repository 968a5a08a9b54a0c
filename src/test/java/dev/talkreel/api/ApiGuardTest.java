package dev.talkreel.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Who may open an event stream: the bearer header, or the ?token= an EventSource must use instead. */
class ApiGuardTest {
    private final ApiGuard guarded = new ApiGuard("0.0.0.0", "s3cret");

    @Test
    void theHeaderOrTheQueryTokenPassesAndNothingElse() {
        assertTrue(guarded.allows("Bearer s3cret", null));
        assertTrue(guarded.allows("bearer  s3cret ", null), "the scheme in any case");
        assertTrue(guarded.allows(null, "s3cret"), "an EventSource's ?token=");
        assertFalse(guarded.allows(null, null));
        assertFalse(guarded.allows("Bearer wrong", "s3cret"), "a header given is the one that counts");
        assertFalse(guarded.allows(null, "s3cre"));
        assertFalse(guarded.allows("Basic czNjcmV0", null));
    }

    @Test
    void onLoopbackWithoutATokenAnyonePasses() {
        assertTrue(new ApiGuard("127.0.0.1", "").allows(null, null));
    }
}
