package dev.talkreel.job;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonFactory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Checks a job, from a dropped file or an HTTP body, with the same rules and the same messages. Every problem found
 * is reported at once (not only the first), each with its field, so a user fixes a file in one go.
 */
public final class JobValidator {
    static final Set<String> FIELDS = Set.of("youtube_url", "script", "portrait_prompt", "segment_start", "segment_end",
            "language", "seed", "resolution", "diffusion_steps", "text_guide_scale", "audio_guide_scale");
    static final Set<String> RESOLUTIONS = Set.of("infinitetalk-480", "infinitetalk-720");

    private final ObjectMapper mapper = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(20).maxStringLength(100_000).build())
            .build()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final Limits limits;

    /** The numbers that bound a job, all from config/application.properties. */
    public record Limits(int maxBodyBytes, double videoSeconds, double wordsPerSecond, double maxEstimatedSeconds,
                        int maxScriptChars, int maxPromptChars, double maxSegmentSeconds, double minSegmentSeconds,
                        double defaultSegmentStart, double defaultSegmentEnd) {
    }

    /** The outcome: a job, or the reasons it was refused. */
    public record Result(JobRequest job, List<FieldError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    public JobValidator(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    public Result validate(byte[] body) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || body.length == 0) {
            return refuse("body", "is empty: send a JSON object with youtube_url and script");
        }
        if (body.length > limits.maxBodyBytes()) {
            return refuse("body", "is " + body.length + " bytes, over the limit of " + limits.maxBodyBytes());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return refuse("body", "is not valid UTF-8 text");
        }
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (Exception e) {
            return refuse("body", "is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return refuse("body", "must be a JSON object, not " + (root == null ? "nothing" : root.getNodeType()
                    .toString().toLowerCase()));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(printable(name), "is not a known field (known: youtube_url, script, "
                        + "portrait_prompt, segment_start, segment_end, language, seed, resolution, diffusion_steps, "
                        + "text_guide_scale, audio_guide_scale)"));
            }
        }
        JobRequest job = new JobRequest();
        String url = text(root, "youtube_url", true, 300, errors);
        if (url != null) {
            YoutubeUrl.videoId(url).ifPresentOrElse(id -> {
                job.videoId = id;
                job.youtubeUrl = YoutubeUrl.canonical(id);
            }, () -> errors.add(new FieldError("youtube_url", "must be a YouTube video URL "
                    + "(https://www.youtube.com/watch?v=ID, https://youtu.be/ID or https://www.youtube.com/shorts/ID, "
                    + "with an 11-character ID)")));
        }
        job.script = text(root, "script", true, limits.maxScriptChars(), errors);
        if (job.script != null) {
            checkScriptLength(job.script, errors);
        }
        job.portraitPrompt = text(root, "portrait_prompt", false, limits.maxPromptChars(), errors);
        Double start = number(root, "segment_start", 0, 24 * 3600, errors);
        Double end = number(root, "segment_end", 0, 24 * 3600, errors);
        job.segmentStart = start != null ? start : limits.defaultSegmentStart();
        job.segmentEnd = end != null ? end : limits.defaultSegmentEnd();
        if (!has(errors, "segment_start") && !has(errors, "segment_end")) {
            double length = job.segmentEnd - job.segmentStart;
            if (length <= 0) {
                errors.add(new FieldError("segment_end", "must be after segment_start (" + fmt(job.segmentStart)
                        + " s), got " + fmt(job.segmentEnd) + " s"));
            } else if (length > limits.maxSegmentSeconds()) {
                errors.add(new FieldError("segment_end", "the segment lasts " + fmt(length) + " s; at most "
                        + fmt(limits.maxSegmentSeconds()) + " s can be cut"));
            } else if (length < limits.minSegmentSeconds()) {
                errors.add(new FieldError("segment_end", "the segment lasts " + fmt(length) + " s; voice cloning needs "
                        + "at least " + fmt(limits.minSegmentSeconds()) + " s"));
            }
        }
        job.language = text(root, "language", false, 10, errors);
        if (job.language != null && !job.language.matches("[a-z]{2,3}(-[A-Za-z]{2,4})?")) {
            errors.add(new FieldError("language", "must be a language code such as en or pt-BR"));
        }
        Double seed = number(root, "seed", 0, 4_294_967_295d, errors);
        if (seed != null) {
            if (seed % 1 != 0) {
                errors.add(new FieldError("seed", "must be a whole number"));
            } else {
                job.seed = seed.longValue();
            }
        }
        job.resolution = text(root, "resolution", false, 40, errors);
        if (job.resolution != null && !RESOLUTIONS.contains(job.resolution)) {
            errors.add(new FieldError("resolution", "must be infinitetalk-480 or infinitetalk-720"));
        }
        Double steps = number(root, "diffusion_steps", 1, 100, errors);
        if (steps != null) {
            if (steps % 1 != 0) {
                errors.add(new FieldError("diffusion_steps", "must be a whole number"));
            } else {
                job.diffusionSteps = steps.intValue();
            }
        }
        job.textGuideScale = number(root, "text_guide_scale", 0, 20, errors);
        job.audioGuideScale = number(root, "audio_guide_scale", 0, 20, errors);
        return new Result(errors.isEmpty() ? job : null, errors);
    }

    /** Refuses at once a script whose speech would clearly not fit: better now than after minutes of GPU work. */
    private void checkScriptLength(String script, List<FieldError> errors) {
        int words = words(script);
        double seconds = words / limits.wordsPerSecond();
        if (seconds > limits.maxEstimatedSeconds()) {
            int fits = (int) Math.floor(limits.videoSeconds() * limits.wordsPerSecond());
            errors.add(new FieldError("script", String.format(java.util.Locale.ROOT,
                    "has %d words, about %.1f s of speech at %.1f words/s; the video lasts %s s, so keep it to about "
                            + "%d words", words, seconds, limits.wordsPerSecond(), fmt(limits.videoSeconds()), fits)));
        }
    }

    public static int words(String text) {
        String t = text.trim();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private static String text(JsonNode root, String field, boolean required, int maxChars, List<FieldError> errors) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return null;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError(field, "must be a string, not " + n.getNodeType().toString().toLowerCase()));
            return null;
        }
        String v = n.textValue();
        if (v.isBlank()) {
            if (required) {
                errors.add(new FieldError(field, "must not be blank"));
            }
            return null;
        }
        if (v.length() > maxChars) {
            errors.add(new FieldError(field, "is " + v.length() + " characters long; at most " + maxChars));
            return null;
        }
        if (v.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r')) {
            errors.add(new FieldError(field, "contains control characters"));
            return null;
        }
        // a JSON escape such as \ud800 decodes to half a character: not text any service could read
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(v)) {
            errors.add(new FieldError(field, "contains an unpaired surrogate escape (\\ud800-\\udfff), which is "
                    + "not a character"));
            return null;
        }
        return v.trim();
    }

    private static Double number(JsonNode root, String field, double min, double max, List<FieldError> errors) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            errors.add(new FieldError(field, "must be a number, not " + n.getNodeType().toString().toLowerCase()));
            return null;
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v) || v < min || v > max) {
            errors.add(new FieldError(field, "must be between " + fmt(min) + " and " + fmt(max) + ", got "
                    + n.asText()));
            return null;
        }
        return v;
    }

    private static boolean has(List<FieldError> errors, String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    private static Result refuse(String field, String message) {
        return new Result(null, List.of(new FieldError(field, message)));
    }

    static String fmt(double v) {
        return v % 1 == 0 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String printable(String s) {
        String cut = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
