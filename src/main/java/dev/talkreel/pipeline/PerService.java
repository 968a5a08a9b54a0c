package dev.talkreel.pipeline;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Settings of one kind per service (talkreel.&lt;service&gt;.*), read the first time a step of that service asks: the
 * steps are declared in routes/, after the beans are made, so no list of services is known in advance. A service
 * without a key of its own gets talkreel.default.* (see config/application.properties).
 *
 * @param <T> the settings
 */
public final class PerService<T> {
    private final Function<String, T> read;
    /** Empty for a service without settings of this kind: known too, not read again. */
    private final Map<String, Optional<T>> known = new ConcurrentHashMap<>();

    public PerService(Function<String, T> read) {
        this.read = read;
    }

    /**
     * The settings of {@code service}, or null when it has none of this kind. Made once, atomically: two jobs asking
     * at the same moment get the same object (a task limit's semaphore must be one, or the limit is two).
     */
    public T get(String service) {
        return known.computeIfAbsent(service, s -> Optional.ofNullable(read.apply(s))).orElse(null);
    }
}
