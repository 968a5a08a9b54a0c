package dev.talkreel.finish;

import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The output profiles of config/application.properties ({@code talkreel.output.<name>.size} and
 * {@code .portrait-size}), read once at start, and the one each job gets: its {@code output_profile}, else
 * {@code talkreel.output.profile}. A profile named in the settings but badly sized refuses the start.
 */
public final class OutputProfiles {
    /** The profiles the job schema allows (config/job.schema.json, output_profile). */
    public static final Set<String> NAMES = Set.of("landscape", "shorts", "square");

    private final Map<String, OutputProfile> profiles;
    private final OutputProfile fallback;
    private final JobStore jobs;

    public OutputProfiles(Map<String, OutputProfile> profiles, String defaultName, JobStore jobs) {
        this.profiles = Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
        this.fallback = profiles.get(defaultName);
        if (fallback == null) {
            throw new IllegalArgumentException("talkreel.output.profile = " + defaultName + " names no profile; "
                    + "known: " + String.join(", ", profiles.keySet()));
        }
        this.jobs = jobs;
    }

    /** Every profile of {@link #NAMES}, from {@code setting} (a key to its value, or null when unset). */
    public static OutputProfiles fromSettings(Function<String, String> setting, JobStore jobs) {
        Map<String, OutputProfile> profiles = new LinkedHashMap<>();
        for (String name : NAMES.stream().sorted().toList()) {
            String prefix = "talkreel.output." + name + ".";
            int[] size = size(prefix + "size", setting.apply(prefix + "size"), true);
            int[] portrait = size(prefix + "portrait-size", setting.apply(prefix + "portrait-size"), false);
            profiles.put(name, new OutputProfile(name, size[0], size[1], portrait[0], portrait[1]));
        }
        String chosen = setting.apply("talkreel.output.profile");
        return new OutputProfiles(profiles, chosen == null ? "" : chosen.trim(), jobs);
    }

    /** The job's profile: the one it asked for, else the default. */
    public OutputProfile forJob(String jobId) {
        JobRequest in = jobs.get(jobId).input;
        return in.outputProfile == null ? fallback : named(in.outputProfile);
    }

    public OutputProfile named(String name) {
        OutputProfile p = profiles.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no output profile " + name + "; known: "
                    + String.join(", ", profiles.keySet()));
        }
        return p;
    }

    /** {@code WxH} (both even, 16 to 4096), or {@code native} where allowed (0 x 0). */
    static int[] size(String key, String value, boolean nativeAllowed) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (nativeAllowed && v.equals("native")) {
            return new int[] {0, 0};
        }
        String[] wh = v.split("x");
        try {
            int w = Integer.parseInt(wh[0].trim());
            int h = Integer.parseInt(wh[1].trim());
            if (wh.length == 2 && w >= 16 && h >= 16 && w <= 4096 && h <= 4096 && w % 2 == 0 && h % 2 == 0) {
                return new int[] {w, h};
            }
        } catch (RuntimeException e) {
            // worded below
        }
        throw new IllegalArgumentException(key + " = " + value + ": expected WIDTHxHEIGHT, both even, 16 to 4096"
                + (nativeAllowed ? ", or native" : ""));
    }
}
