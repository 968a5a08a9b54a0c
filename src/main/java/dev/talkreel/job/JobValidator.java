package dev.talkreel.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Checks a job, from a dropped file or an HTTP body, with the same rules and the same messages. Every problem found
 * is reported at once (not only the first), each with its field, so a user fixes a file in one go. The fields and
 * their types, bounds and patterns are config/job.schema.json ({@link JobSchema}); here are only what comes before
 * it (a readable JSON object of bounded size, readable texts) and the rules a schema cannot say.
 */
public final class JobValidator {
    private final ObjectMapper mapper = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(20).maxStringLength(100_000).build())
            .build()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final JobSchema schema;
    private final Limits limits;
    private final Function<String, Optional<String>> callbackRefusal;

    /** The numbers that bound a job beyond its schema, all from config/application.properties. */
    public record Limits(int maxBodyBytes, double videoSeconds, double wordsPerSecond, double maxEstimatedSeconds,
                        double maxSegmentSeconds, double minSegmentSeconds, double defaultSegmentStart,
                        double defaultSegmentEnd) {

        /** The limits from the settings (config/application.properties, with overrides), by key. */
        public static Limits from(Function<String, String> setting) {
            ToDoubleFunction<String> number = key -> Double.parseDouble(setting.apply(key).trim());
            return new Limits(Integer.parseInt(setting.apply("talkreel.intake.max-bytes").trim()),
                    number.applyAsDouble("talkreel.video.seconds"), number.applyAsDouble("talkreel.script.words-per-second"),
                    number.applyAsDouble("talkreel.script.max-estimated-seconds"),
                    number.applyAsDouble("talkreel.segment.max-seconds"),
                    number.applyAsDouble("talkreel.segment.min-seconds"),
                    number.applyAsDouble("talkreel.segment.default-start"),
                    number.applyAsDouble("talkreel.segment.default-end"));
        }
    }

    /** The outcome: a job, or the reasons it was refused. */
    public record Result(JobRequest job, List<FieldError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Refuses every callback_url: no host is allowed (the default of talkreel.callback.allowed-hosts). */
    public JobValidator(JobSchema schema, Limits limits) {
        this(schema, limits, url -> Optional.of("is not allowed: no callback host is (talkreel.callback.allowed-hosts)"));
    }

    /** {@code callbackRefusal} says why a callback_url may not be called, or nothing when it may. */
    public JobValidator(JobSchema schema, Limits limits, Function<String, Optional<String>> callbackRefusal) {
        this.schema = schema;
        this.limits = limits;
        this.callbackRefusal = callbackRefusal;
    }

    public Limits limits() {
        return limits;
    }

    public Result validate(byte[] body) {
        if (body == null || body.length == 0) {
            return refuse("is empty: send a JSON object with youtube_url and script");
        }
        if (body.length > limits.maxBodyBytes()) {
            return refuse("is " + body.length + " bytes, over the limit of " + limits.maxBodyBytes());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return refuse("is not valid UTF-8 text");
        }
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (Exception e) {
            return refuse("is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!(root instanceof ObjectNode job)) {
            return refuse("must be a JSON object, not " + (root == null ? "nothing" : root.getNodeType()
                    .toString().toLowerCase(Locale.ROOT)));
        }
        List<String> order = new ArrayList<>();
        job.fieldNames().forEachRemaining(name -> order.add(FieldError.shown(name)));
        JobText texts = new JobText(schema::isText);
        texts.clean(job, "");
        List<FieldError> errors = new ArrayList<>(texts.errors);
        for (FieldError e : schema.check(job)) {
            if (!has(errors, e.field())) {
                boolean wasBlank = texts.blank.contains(e.field()) && schema.required(e.field());
                errors.add(wasBlank ? new FieldError(e.field(), "must not be blank") : e);
            }
        }
        // the rules below read the fields the schema let through; a refused field is left out, so it reads as absent
        ObjectNode passed = job.deepCopy();
        errors.forEach(e -> passed.remove(e.topLevel()));
        JobRequest request;
        try {
            request = mapper.convertValue(passed, JobRequest.class);
        } catch (IllegalArgumentException e) {
            // the schema let through what JobRequest's own field cannot hold: an edit of a built-in field's type
            String field = e.getCause() instanceof JsonMappingException m && !m.getPath().isEmpty()
                    ? m.getPath().get(0).getFieldName() : "body";
            errors.add(new FieldError(field, "is not what talkreel can use (the job schema and JobRequest disagree)"));
            return new Result(null, errors);
        }
        checkUrl(request, errors);
        checkScriptLength(request.script, errors);
        checkSegment(request, passed, errors);
        if (request.callbackUrl != null && !has(errors, "callback_url")) {
            callbackRefusal.apply(request.callbackUrl).ifPresent(why -> errors.add(new FieldError("callback_url", why)));
        }
        // in the order of the job's own fields, the missing ones last: the user reads them top to bottom
        errors.sort(Comparator.comparingInt(e -> order.contains(e.topLevel()) ? order.indexOf(e.topLevel())
                : Integer.MAX_VALUE));
        return new Result(errors.isEmpty() ? request : null, errors);
    }

    /** Only a YouTube video in one of its public forms; what goes on is the canonical URL rebuilt from its id. */
    private static void checkUrl(JobRequest job, List<FieldError> errors) {
        if (job.youtubeUrl == null || has(errors, "youtube_url")) {
            return;
        }
        YoutubeUrl.videoId(job.youtubeUrl).ifPresentOrElse(id -> {
            job.videoId = id;
            job.youtubeUrl = YoutubeUrl.canonical(id);
        }, () -> errors.add(new FieldError("youtube_url", "must be a YouTube video URL "
                + "(https://www.youtube.com/watch?v=ID, https://youtu.be/ID or https://www.youtube.com/shorts/ID, "
                + "with an 11-character ID)")));
    }

    /** Refuses at once a script whose speech would clearly not fit: better now than after minutes of GPU work. */
    private void checkScriptLength(String script, List<FieldError> errors) {
        if (script == null || has(errors, "script")) {
            return;
        }
        int words = words(script);
        double seconds = words / limits.wordsPerSecond();
        if (seconds > limits.maxEstimatedSeconds()) {
            int fits = (int) Math.floor(limits.videoSeconds() * limits.wordsPerSecond());
            errors.add(new FieldError("script", String.format(Locale.ROOT,
                    "has %d words, about %.1f s of speech at %.1f words/s; the video lasts %s s, so keep it to about "
                            + "%d words", words, seconds, limits.wordsPerSecond(), fmt(limits.videoSeconds()), fits)));
        }
    }

    /** The cut of the voice sample: defaults filled in, then after its start and between the shortest and longest. */
    private void checkSegment(JobRequest job, JsonNode given, List<FieldError> errors) {
        job.segmentStart = given.has("segment_start") ? job.segmentStart : limits.defaultSegmentStart();
        job.segmentEnd = given.has("segment_end") ? job.segmentEnd : limits.defaultSegmentEnd();
        if (has(errors, "segment_start") || has(errors, "segment_end")) {
            return;
        }
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

    public static int words(String text) {
        String t = text.trim();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private static boolean has(List<FieldError> errors, String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    private static Result refuse(String message) {
        return new Result(null, List.of(new FieldError("body", message)));
    }

    private static String fmt(double v) {
        return v % 1 == 0 ? String.valueOf((long) v) : String.valueOf(v);
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
