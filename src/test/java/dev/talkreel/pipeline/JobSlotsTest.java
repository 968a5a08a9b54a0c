package dev.talkreel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.UnitOfWorkHelper;
import org.junit.jupiter.api.Test;

/** A step's job slots: a marker without a slot is left for the next scan, and its step woken when a slot returns. */
class JobSlotsTest {
    private final CamelContext camel = new DefaultCamelContext();
    private final List<String> woken = new ArrayList<>();
    private final JobSlots slots = new JobSlots(1, woken::add);

    @Test
    void aSlotThatComesBackWhileAMarkerWaitsWakesItsStepOnce() {
        Exchange first = new DefaultExchange(camel);
        assertTrue(slots.tryEnter(first, "voice"));
        complete(first);
        assertEquals(List.of(), woken, "nothing was left waiting: no wake");

        Exchange running = new DefaultExchange(camel);
        assertTrue(slots.tryEnter(running, "voice"));
        Exchange left = new DefaultExchange(camel);
        assertFalse(slots.tryEnter(left, "voice"));
        assertFalse(slots.tryEnter(new DefaultExchange(camel), "voice"));
        assertNull(slots.idempotentKey(left, "voice"), "a marker left on disk is not remembered");
        assertTrue(slots.tryEnter(new DefaultExchange(camel), "video"), "each step has slots of its own");
        assertEquals(1, slots.busy("voice"));

        complete(running);
        assertEquals(List.of("voice"), woken, "one wake for the markers left while the slot was taken");
        assertEquals(0, slots.busy("voice"));
    }

    private static void complete(Exchange exchange) {
        UnitOfWorkHelper.doneSynchronizations(exchange, exchange.getExchangeExtension().handoverCompletions());
    }
}
