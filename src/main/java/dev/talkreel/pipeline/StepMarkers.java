package dev.talkreel.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers the done markers of one job into one body, keyed by step: {"voice": {...}, "portrait": {...}}. The
 * aggregate lives in the body (not in exchange properties), so it is whole whatever repository holds it; and every
 * part is a marker file on disk, so after a restart the watchers read the markers again and rebuild it.
 */
public final class StepMarkers implements AggregationStrategy {

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Map<String, Object> marker = newExchange.getIn().getBody(Map.class);
        Exchange target = oldExchange == null ? newExchange : oldExchange;
        Map<String, Object> all = oldExchange == null ? new LinkedHashMap<>() : oldExchange.getIn().getBody(Map.class);
        all.put(String.valueOf(marker.get("step")), marker);
        target.getIn().setBody(all);
        return target;
    }
}
