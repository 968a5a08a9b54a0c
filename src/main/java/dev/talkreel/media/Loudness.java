package dev.talkreel.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * An EBU R128 measurement of a file's sound by ffmpeg's {@code loudnorm} (its first pass): integrated loudness
 * (LUFS), true peak (dBTP), loudness range (LU), the gate threshold, and the offset loudnorm asks to be handed back
 * in its second pass.
 */
public record Loudness(double integrated, double truePeak, double range, double threshold, double offset) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Measures {@code file} (relative to {@code dir}, or absolute) against the targets the second pass will use. */
    public static Loudness measure(Path dir, String file, Target target, Duration timeout) throws IOException {
        String report = Ffmpeg.report(dir, timeout, List.of("-i", file, "-vn", "-af",
                "loudnorm=" + target.filterArgs() + ":print_format=json", "-f", "null", "-"));
        return parse(report);
    }

    /** Reads loudnorm's JSON report out of ffmpeg's log (the object after the "Parsed_loudnorm" line). */
    static Loudness parse(String log) throws IOException {
        int filter = log.lastIndexOf("Parsed_loudnorm");
        int open = filter < 0 ? -1 : log.indexOf('{', filter);
        int close = open < 0 ? -1 : log.indexOf('}', open);
        if (close < 0) {
            throw new IOException("ffmpeg's loudnorm printed no measurement (is there any sound?)");
        }
        JsonNode json = MAPPER.readTree(log.substring(open, close + 1));
        return new Loudness(number(json, "input_i"), number(json, "input_tp"), number(json, "input_lra"),
                number(json, "input_thresh"), number(json, "target_offset"));
    }

    private static double number(JsonNode json, String field) throws IOException {
        String v = json.path(field).asText("");
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            // loudnorm says -inf for silence: there is nothing to normalise
            throw new IOException("ffmpeg's loudnorm measured " + field + " = '" + v + "' (silent sound?)");
        }
    }

    /** The measurement as facts a step notes and hands to its second pass (its body between the two). */
    public Map<String, Object> toFacts() {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("input_lufs", integrated);
        facts.put("input_true_peak_dbtp", truePeak);
        facts.put("input_lra", range);
        facts.put("input_threshold", threshold);
        facts.put("loudnorm_offset", offset);
        return facts;
    }

    /** Back from {@link #toFacts()}. */
    public static Loudness fromFacts(Map<String, ?> facts) {
        return new Loudness(value(facts, "input_lufs"), value(facts, "input_true_peak_dbtp"), value(facts, "input_lra"),
                value(facts, "input_threshold"), value(facts, "loudnorm_offset"));
    }

    private static double value(Map<String, ?> facts, String key) {
        Object v = facts.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("the loudness measurement has no " + key + ": " + facts);
        }
        return n.doubleValue();
    }

    /** The second pass: loudnorm told what the first measured, so it can apply one linear gain. */
    public String secondPassFilter(Target target) {
        return String.format(Locale.ROOT, "loudnorm=%s:measured_I=%.2f:measured_TP=%.2f:measured_LRA=%.2f:"
                + "measured_thresh=%.2f:offset=%.2f:linear=true", target.filterArgs(), integrated, truePeak, range,
                threshold, offset);
    }

    /** Where the loudness goes: integrated LUFS, true-peak ceiling in dBTP, loudness range in LU. */
    public record Target(double integrated, double truePeak, double range) {
        String filterArgs() {
            return String.format(Locale.ROOT, "I=%.1f:TP=%.1f:LRA=%.1f", integrated, truePeak, range);
        }
    }
}
