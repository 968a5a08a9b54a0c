package dev.talkreel.job;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The times written into job files and names, from one clock (tests pass their own): the record, the markers and the
 * files set aside must agree on what "now" is.
 */
final class JobTime {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;

    JobTime(Clock clock) {
        this.clock = clock;
    }

    Instant instant() {
        return clock.instant();
    }

    /** ISO-8601 in milliseconds, UTC: the times in job.json and the markers. */
    String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.MILLIS));
    }

    /** A time stamp for file names kept aside (inbox/.failed/, job.json.corrupt-...): yyyyMMdd-HHmmss-SSS, UTC. */
    String stamp() {
        return STAMP.format(clock.instant());
    }

    /** A new job id: its creation time first, so that ids sort by age (the list API and the archive rely on it). */
    String newId() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return ID_TIME.format(clock.instant()) + "-" + HexFormat.of().formatHex(b);
    }

    /** A few random hex digits: the run id that tells this process's running steps from a cut-off run's. */
    static String randomHex(int bytes) {
        return HexFormat.of().formatHex(RANDOM.generateSeed(bytes));
    }
}
