package dev.talkreel.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.Settings;
import dev.talkreel.callback.CallbackHosts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The job rules as both doors apply them: the shipped config/job.schema.json and config/application.properties, the
 * same files a running talkreel reads. Each refusal names its field with a message a person understands.
 */
class JobValidatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMA = Path.of("config/job.schema.json");
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final JobValidator.Limits LIMITS = JobValidator.Limits.from(
            Settings.load(Path.of("config/application.properties"))::get);
    private static final JobValidator VALIDATOR = new JobValidator(JobSchema.load(SCHEMA), LIMITS);

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------------ accepted

    @Test
    void aGoodJobIsAcceptedWithItsDefaultsFilledIn() {
        JobValidator.Result r = VALIDATOR.validate(bytes("{\"youtube_url\": \"https://youtu.be/ao8f3qyMoLM?t=3\","
                + " \"script\": \"  Hello there.  \", \"seed\": 7.0, \"diffusion_steps\": 50, \"language\": \"pt-BR\","
                + " \"resolution\": \"infinitetalk-720\", \"text_guide_scale\": 5, \"audio_guide_scale\": 4.5}"));
        assertEquals(List.of(), r.errors());
        JobRequest job = r.job();
        assertEquals(URL, job.youtubeUrl, "the canonical URL, never the user's");
        assertEquals("ao8f3qyMoLM", job.videoId);
        assertEquals("Hello there.", job.script, "trimmed");
        assertEquals(LIMITS.defaultSegmentStart(), job.segmentStart);
        assertEquals(LIMITS.defaultSegmentEnd(), job.segmentEnd);
        assertEquals(7L, job.seed);
        assertEquals(50, job.diffusionSteps);
        assertEquals("pt-BR", job.language);
        assertEquals("infinitetalk-720", job.resolution);
        assertEquals(4.5, job.audioGuideScale);
        assertNull(job.portraitPrompt);
    }

    @Test
    void nullAndBlankOptionalFieldsAreTheSameAsLeftOut() {
        JobValidator.Result r = validate(Map.of("seed", "null", "portrait_prompt", "\"  \"", "language", "\"\"",
                "resolution", "\" \""));
        assertEquals(List.of(), r.errors());
        assertNull(r.job().seed);
        assertNull(r.job().portraitPrompt);
        assertNull(r.job().language);
        assertNull(r.job().resolution);
    }

    @Test
    void theExampleJobShippedInTheRepositoryIsValid() throws Exception {
        JobValidator.Result r = VALIDATOR.validate(Files.readAllBytes(Path.of("examples/job.json")));
        assertEquals(List.of(), r.errors());
        assertEquals(40.0, r.job().segmentStart);
        assertEquals(42L, r.job().seed);
    }

    // ------------------------------------------------------------------------------------------ schema rules

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "youtube_url       | 42                      | must be a string, not number",
        "script            | true                    | must be a string, not boolean",
        "portrait_prompt   | [\"a\"]                 | must be a string, not array",
        "language          | {}                      | must be a string, not object",
        "segment_start     | \"10\"                  | must be a number, not string",
        "segment_end       | [1]                     | must be a number, not array",
        "audio_guide_scale | \"\"                  | must be a number, not string",
        "seed              | \"  \"                | must be an integer, not string",
        "seed              | \"42\"                  | must be an integer, not string",
        "seed              | 1.5                     | must be a whole number",
        "seed              | -1                      | must be between 0 and 4294967295, got -1",
        "seed              | 4294967296              | must be between 0 and 4294967295, got 4294967296",
        "seed              | 1e400                   | must be between 0 and 4294967295, got Infinity",
        "diffusion_steps   | 0                       | must be between 1 and 100, got 0",
        "diffusion_steps   | 2.5                     | must be a whole number",
        "text_guide_scale  | 20.5                    | must be between 0 and 20, got 20.5",
        "audio_guide_scale | -0.001                  | must be between 0 and 20, got -0.001",
        "segment_start     | 90000                   | must be between 0 and 86400, got 90000",
        "resolution        | \"1080p\"               | must be infinitetalk-480 or infinitetalk-720",
        "resolution        | false                   | must be infinitetalk-480 or infinitetalk-720",
        "language          | \"EN\"                  | must be a language code such as en or pt-BR",
        "language          | \"en-AAAAAAAA\"         | is 11 characters long; at most 10",
        "youtube_url       | \"https://vimeo.com/1\" | must be a YouTube video URL (https://www.youtube.com/watch?v=ID, "
                + "https://youtu.be/ID or https://www.youtube.com/shorts/ID, with an 11-character ID)",
    })
    void aFieldAgainstItsRuleIsNamedWithAMessage(String field, String rawValue, String message) {
        assertEquals(List.of(new FieldError(field, message)), validate(Map.of(field, rawValue)).errors());
    }

    @Test
    void tooLongTextsSayHowLongAndTheLimit() {
        assertEquals(List.of(new FieldError("script", "is 1001 characters long; at most 1000")),
                validate(Map.of("script", str("a".repeat(1001)))).errors());
        assertEquals(List.of(new FieldError("portrait_prompt", "is 2001 characters long; at most 2000")),
                validate(Map.of("portrait_prompt", str("b".repeat(2001)))).errors());
        assertEquals("youtube_url", validate(Map.of("youtube_url", str(URL + "&x=" + "a".repeat(300))))
                .errors().get(0).field());
    }

    @Test
    void requiredFieldsMissingOrBlank() {
        assertEquals(List.of(new FieldError("youtube_url", "is required"), new FieldError("script", "is required")),
                VALIDATOR.validate(bytes("{}")).errors());
        assertEquals(List.of(new FieldError("youtube_url", "is required")),
                validate(Map.of("youtube_url", "null")).errors());
        assertEquals(List.of(new FieldError("script", "must not be blank")),
                validate(Map.of("script", str(" \n\t "))).errors());
    }

    @Test
    void anUnknownFieldIsRefusedAndTheKnownOnesAreListed() {
        List<FieldError> errors = validate(Map.of("webhook", str("http://evil.com/hook"))).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertEquals("webhook", errors.get(0).field());
        assertEquals("is not a known field (known: youtube_url, script, portrait_prompt, segment_start, segment_end, "
                + "language, seed, resolution, diffusion_steps, text_guide_scale, audio_guide_scale, output_profile, "
                + "captions, callback_url)", errors.get(0).message());
    }

    @Test
    void aCallbackUrlIsRefusedUnlessItsHostIsAllowed() {
        List<FieldError> errors = validate(Map.of("callback_url", str("http://evil.com/hook"))).errors();
        assertEquals(List.of(new FieldError("callback_url",
                "is not allowed: no callback host is (talkreel.callback.allowed-hosts)")), errors);
        JobValidator allowing = new JobValidator(JobSchema.load(SCHEMA), LIMITS,
                new CallbackHosts("hooks.example.com")::refusal);
        byte[] job = bytes("{\"youtube_url\": \"" + URL + "\", \"script\": \"Hello there.\", \"callback_url\": "
                + "\"https://hooks.example.com/talkreel\"}");
        JobValidator.Result ok = allowing.validate(job);
        assertEquals(List.of(), ok.errors());
        assertEquals("https://hooks.example.com/talkreel", ok.job().callbackUrl);
    }

    @Test
    void anUnknownFieldNameIsShownCutAndWithoutControlCharacters() {
        assertEquals("k".repeat(60) + "...", validate(Map.of("k".repeat(10_000), "1")).errors().get(0).field());
        assertEquals("scr?ipt", VALIDATOR.validate(bytes("{\"youtube_url\": \"" + URL + "\", \"script\": \"hi\", "
                + "\"scr\\u0000ipt\": 1}")).errors().get(0).field());
    }

    // ------------------------------------------------------------------------------------------ Java rules

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource(delimiter = '|', value = {
        "30   | 5    | must be after segment_start (30 s), got 5 s",
        "20   | 20   | must be after segment_start (20 s), got 20 s",
        "0    | 61   | the segment lasts 61 s; at most 60 s can be cut",
        "0    | 4    | the segment lasts 4 s; voice cloning needs at least 5 s",
        "100  |      | must be after segment_start (100 s), got 70 s",
    })
    void theSegmentIsAfterItsStartAndBetweenTheShortestAndLongestCut(String start, String end, String message) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("segment_start", start);
        if (end != null) {
            fields.put("segment_end", end);
        }
        assertEquals(List.of(new FieldError("segment_end", message)), validate(fields).errors());
    }

    @Test
    void aSegmentFieldRefusedByTheSchemaIsNotCheckedAgainstTheOther() {
        assertEquals(List.of(new FieldError("segment_start", "must be between 0 and 86400, got -1")),
                validate(Map.of("segment_start", "-1", "segment_end", "30")).errors());
    }

    @Test
    void aScriptClearlyLongerThanTheVideoIsRefusedAtOnce() {
        assertEquals(List.of(new FieldError("script", "has 26 words, about 10.4 s of speech at 2.5 words/s; the video "
                + "lasts 8 s, so keep it to about 20 words")), validate(Map.of("script", str("word ".repeat(26))))
                .errors());
        assertTrue(validate(Map.of("script", str("word ".repeat(25)))).ok(), "25 words, 10 s: not clearly over");
    }

    @Test
    void controlCharactersAndHalfCharactersAreRefusedInAnyText() {
        assertEquals(List.of(new FieldError("script", "contains control characters")),
                validate(Map.of("script", "\"Hello\\u0000there.\"")).errors());
        assertEquals(List.of(new FieldError("portrait_prompt", "contains an unpaired surrogate escape "
                + "(\\ud800-\\udfff), which is not a character")),
                validate(Map.of("portrait_prompt", "\"a face \\ude00\\ud83d\"")).errors());
        assertTrue(validate(Map.of("script", "\"Line one.\\nLine\\ttwo.\"")).ok(), "tab and line breaks are text");
    }

    @Test
    void everyProblemIsReportedAtOnceInTheOrderOfTheJob() {
        List<FieldError> errors = VALIDATOR.validate(bytes("{\"seed\": \"x\", \"youtube_url\": \"https://example.com\","
                + " \"bogus\": 1, \"diffusion_steps\": 0}")).errors();
        assertEquals(List.of("seed", "youtube_url", "bogus", "diffusion_steps", "script"),
                errors.stream().map(FieldError::field).toList());
    }

    // ------------------------------------------------------------------------------------------ the body

    @Test
    void aBodyThatIsNotOneJsonObjectIsRefusedAsTheBody() {
        for (String body : List.of("", "[]", "42", "null", "{\"a\": 1} x", "{'youtube_url': 'x'}", "{\"youtube_url\":",
                "{\"script\": \"a\", \"script\": \"b\"}", "{\"portrait_prompt\": " + "[".repeat(25) + "]".repeat(25) + "}",
                "{\"seed\": " + "9".repeat(2000) + "}")) {
            List<FieldError> errors = VALIDATOR.validate(bytes(body)).errors();
            assertEquals(1, errors.size(), body + ": " + errors);
            assertEquals("body", errors.get(0).field(), body);
            assertFalse(errors.get(0).message().isBlank());
        }
        assertEquals(new FieldError("body", "is not valid UTF-8 text"),
                VALIDATOR.validate(new byte[] {'{', '"', (byte) 0xFF, '"', '}'}).errors().get(0));
        assertEquals(new FieldError("body", "is 65537 bytes, over the limit of 65536"),
                VALIDATOR.validate(new byte[65_537]).errors().get(0));
    }

    // ------------------------------------------------------------------------------------------ the schema file

    @Test
    void aFieldAddedToTheSchemaIsAcceptedCheckedAndKeptWithTheJob() throws Exception {
        ObjectNode schema = (ObjectNode) JSON.readTree(SCHEMA.toFile());
        ((ObjectNode) schema.get("properties")).set("mood", JSON.readTree("{\"enum\": [\"calm\", \"bright\"]}"));
        ((ObjectNode) schema.get("properties")).set("voice", JSON.readTree("{\"type\": \"object\", "
                + "\"additionalProperties\": false, \"properties\": {\"cfg_scale\": {\"type\": \"number\", "
                + "\"minimum\": 0, \"maximum\": 10}}}"));
        Path file = Files.writeString(dir.resolve("job.schema.json"), schema.toString());
        JobValidator extended = new JobValidator(JobSchema.load(file), LIMITS);

        JobValidator.Result ok = extended.validate(job(Map.of("mood", str(" calm "), "voice", "{\"cfg_scale\": 1.3}")));
        assertEquals(List.of(), ok.errors());
        assertEquals("calm", ok.job().extra("mood").asText());
        assertEquals(1.3, ok.job().extra("voice").path("cfg_scale").asDouble());
        JsonNode written = JSON.readTree(JSON.writeValueAsString(ok.job()));
        assertEquals("calm", written.path("mood").asText(), "kept in the job's input: " + written);
        assertEquals("calm", JSON.treeToValue(written, JobRequest.class).extra("mood").asText(), "read back");

        assertEquals(List.of(new FieldError("mood", "must be calm or bright")),
                extended.validate(job(Map.of("mood", str("sad")))).errors());
        assertEquals(List.of(new FieldError("voice.cfg_scale", "must be between 0 and 10, got 11")),
                extended.validate(job(Map.of("voice", "{\"cfg_scale\": 11}"))).errors());
        assertEquals(List.of(new FieldError("voice.pitch", "is not a known field (known: cfg_scale)")),
                extended.validate(job(Map.of("voice", "{\"pitch\": 1}"))).errors());
        assertEquals("mood", VALIDATOR.validate(job(Map.of("mood", str("calm")))).errors().get(0).field(),
                "not in the shipped schema");
    }

    @Test
    void aBuiltInFieldWhoseTypeTheSchemaChangedIsRefusedNotACrash() throws Exception {
        ObjectNode schema = (ObjectNode) JSON.readTree(SCHEMA.toFile());
        ((ObjectNode) schema.get("properties")).set("seed", JSON.readTree("{\"type\": \"string\"}"));
        Path file = Files.writeString(dir.resolve("job.schema.json"), schema.toString());
        JobValidator edited = new JobValidator(JobSchema.load(file), LIMITS);
        assertEquals(List.of(new FieldError("seed", "is not what talkreel can use (the job schema and JobRequest "
                + "disagree)")), edited.validate(job(Map.of("seed", str("lucky")))).errors());
    }

    @Test
    void aBrokenSchemaStopsTheStartNamingTheFile() throws Exception {
        Path notJson = Files.writeString(dir.resolve("a.json"), "{\"type\": \"object\",");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobSchema.load(notJson));
        assertTrue(e.getMessage().contains(notJson.toString()), e.getMessage());
        Path notSchema = Files.writeString(dir.resolve("b.json"), "{\"properties\": {\"seed\": {\"type\": \"intger\","
                + " \"maxLength\": \"ten\"}}}");
        e = assertThrows(IllegalArgumentException.class, () -> JobSchema.load(notSchema));
        assertTrue(e.getMessage().contains(notSchema + " is not a valid JSON Schema 2020-12"), e.getMessage());
        assertTrue(e.getMessage().contains("maxLength"), e.getMessage());
        // read beside the start (serve): the same refusal, when the start waits for it
        JobSchema beside = JobSchema.loadBeside(notSchema);
        e = assertThrows(IllegalArgumentException.class, beside::await);
        assertTrue(e.getMessage().contains(notSchema + " is not a valid JSON Schema 2020-12"), e.getMessage());
        JobSchema fit = JobSchema.loadBeside(SCHEMA);
        fit.await();
        assertTrue(fit.required("script"));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The base job (URL and script) with the given fields set to raw JSON values. */
    private static JobValidator.Result validate(Map<String, String> fields) {
        return VALIDATOR.validate(job(fields));
    }

    private static byte[] job(Map<String, String> fields) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("youtube_url", str(URL));
        m.put("script", str("Hello from the validator test."));
        m.putAll(fields);
        return bytes(m.entrySet().stream().map(e -> str(e.getKey()) + ": " + e.getValue())
                .collect(Collectors.joining(", ", "{", "}")));
    }

    private static String str(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
