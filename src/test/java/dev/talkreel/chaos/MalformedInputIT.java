package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import dev.talkreel.emulator.EmulatorServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos at the two doors: a fixed-seed generator makes a few hundred malformed jobs (wrong types, missing fields,
 * broken JSON, huge strings, bad UTF-8, control characters, path tricks, non-YouTube URLs, out-of-range numbers,
 * over-long scripts, unknown fields), about half dropped into the inbox and half POSTed to /api/jobs. Each one must
 * be refused with a reason; no file is lost or altered; no job is created; no service is called; talkreel stays up.
 */
class MalformedInputIT {
    private static final long SEED = 20_240_611L;
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
    private static final String SCRIPT = "Hello from a malformed input test.";
    /** talkreel.intake.max-bytes and talkreel.http.max-body-bytes (config/application.properties). */
    private static final int MAX_BYTES = 65_536;
    private static final Duration INBOX_DEADLINE = Duration.ofSeconds(75);
    private static final Pattern STAMP = Pattern.compile("\\d{8}-\\d{6}-\\d{3}-");

    @TempDir
    static Path root;
    static LocalStack stack;
    static JobClient client;
    static final Set<String> tooLarge = new TreeSet<>();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    enum Door { INBOX, HTTP, BOTH }

    /** One malformed input: what it is, its bytes, the fields its errors must name, and where it goes in. */
    record Case(String category, String label, byte[] body, Set<String> fields, Door door, String contentType) {
    }

    /** A case sent through one door. */
    record Input(Case c, Door door, String fileName) {
    }

    @BeforeAll
    static void start() throws Exception {
        // the read lock's check interval is shortened so 100+ files pass in seconds; the lock works the same way
        stack = LocalStack.start(root, Map.of("talkreel.inbox.read-lock-interval-ms", "100"));
        client = new JobClient(stack.api(), stack.shared());
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    @Test
    void everyMalformedJobIsRefusedWithAReasonNothingIsLostAndNothingCrashes() throws Exception {
        List<Input> inputs = plan(generate(new Random(SEED)));
        List<Input> files = inputs.stream().filter(i -> i.door() == Door.INBOX).toList();
        List<Input> posts = inputs.stream().filter(i -> i.door() == Door.HTTP).toList();
        assertTrue(inputs.size() >= 220, "generated " + inputs.size());
        List<String> problems = new ArrayList<>();

        // door one: every file dropped at once (the safe way: dot-name, then renamed in)
        for (Input in : files) {
            client.drop(in.fileName(), in.c().body());
        }
        // door two while the inbox is being worked through
        Map<String, Integer> statuses = new TreeMap<>();
        for (Input in : posts) {
            String status = checkHttp(in, problems);
            statuses.merge(status, 1, Integer::sum);
        }
        checkInbox(files, problems);
        System.out.println(summary(inputs, statuses));
        assertEquals(List.of(), problems, problems.size() + " problems");

        // no job, no service call, nothing on the volume
        JsonNode list = JobClient.JSON.readTree(client.get("/api/jobs?limit=200").body());
        assertEquals(0, list.path("jobs").size(), "jobs listed: " + list);
        try (Stream<Path> dirs = Files.list(stack.shared().resolve("jobs"))) {
            List<Path> jobDirs = dirs.filter(Files::isDirectory).filter(d -> !d.getFileName().toString()
                    .startsWith(".")).toList();
            assertEquals(List.of(), jobDirs, "job folders");
        }
        // (GET / is readiness probing the service, which talkreel does from its start, jobs or not)
        for (EmulatorServer s : stack.emulators().all()) {
            assertEquals(0, s.calls().total() - s.calls().count("GET /"),
                    s.getClass().getSimpleName() + " was called: " + s.calls().snapshot());
        }

        // still up: every route started, and a valid job is accepted at once
        List<Route> routes = stack.camel().getRoutes();
        assertFalse(routes.isEmpty());
        for (Route r : routes) {
            assertTrue(stack.camel().getRouteController().getRouteStatus(r.getId()).isStarted(), r.getId());
        }
        HttpResponse<String> ok = client.post(JobClient.job(URL, "Still here after the chaos."));
        assertEquals(202, ok.statusCode(), ok.body());
    }

    // ------------------------------------------------------------------------------------------------ HTTP door

    /** POSTs one body; returns its status for the summary and records what is wrong with the answer. */
    private static String checkHttp(Input in, List<String> problems) throws InterruptedException {
        Case c = in.c();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.api() + "/api/jobs"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        if (c.contentType() != null) {
            b.header("Content-Type", c.contentType());
        }
        HttpResponse<String> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            problems.add("http " + c.label() + ": no answer: " + e);
            return "io-error";
        }
        int status = r.statusCode();
        int expected = c.contentType() == null || !c.contentType().startsWith("application/json") ? 415
                : c.body().length > MAX_BYTES ? 413 : 400;
        if (status != expected) {
            problems.add("http " + c.label() + ": expected " + expected + ", got " + status + " " + cut(r.body()));
            return String.valueOf(status);
        }
        if (status == 413) {
            // refused by the HTTP server itself before talkreel sees the body (camel.server.max-body-size)
            tooLarge.add(r.body().strip());
            if (!"Request Entity Too Large".equals(r.body().strip())) {
                problems.add("http " + c.label() + ": 413 with " + cut(r.body()));
            }
            return "413";
        }
        try {
            JsonNode answer = JobClient.JSON.readTree(r.body());
            String why = checkErrors(answer, c.fields());
            if (!"invalid job".equals(answer.path("error").asText())) {
                why = "error is not 'invalid job'";
            }
            if (why != null) {
                problems.add("http " + c.label() + ": " + why + ": " + cut(r.body()));
            }
        } catch (JsonProcessingException e) {
            problems.add("http " + c.label() + ": answer is not JSON: " + cut(r.body()));
        }
        return String.valueOf(status);
    }

    // ----------------------------------------------------------------------------------------------- inbox door

    private static void checkInbox(List<Input> files, List<String> problems) throws Exception {
        Path inbox = stack.shared().resolve("inbox");
        Path failed = inbox.resolve(".failed");
        Map<Input, Path> kept = new LinkedHashMap<>();
        // until every file is kept with its error file, or the deadline: the checks below then name what is missing
        JobClient.eventually(INBOX_DEADLINE, Duration.ofMillis(100), () -> {
            Map<String, List<Path>> byName = keptByOriginalName(failed);
            kept.clear();
            for (Input in : files) {
                List<Path> found = byName.getOrDefault(in.fileName(), List.of());
                if (found.size() == 1 && Files.isRegularFile(errorFile(found.get(0)))) {
                    kept.put(in, found.get(0));
                }
            }
            return kept.size() == files.size() && regularFiles(inbox).isEmpty();
        });
        Map<String, List<Path>> byName = keptByOriginalName(failed);
        for (Input in : files) {
            List<Path> found = byName.getOrDefault(in.fileName(), List.of());
            if (found.size() != 1) {
                problems.add("inbox " + in.c().label() + " as '" + in.fileName() + "': " + found.size()
                        + " kept copies in .failed/");
                continue;
            }
            Path file = found.get(0);
            if (!Arrays.equals(in.c().body(), Files.readAllBytes(file))) {
                problems.add("inbox " + in.c().label() + ": the kept file differs from what was dropped");
            }
            Path error = errorFile(file);
            if (!Files.isRegularFile(error)) {
                problems.add("inbox " + in.c().label() + ": no " + error.getFileName());
                continue;
            }
            JsonNode why = JobClient.JSON.readTree(error.toFile());
            Set<String> fields = in.c().body().length > MAX_BYTES ? Set.of("file") : in.c().fields();
            String wrong = checkErrors(why, fields);
            if (!in.fileName().equals(why.path("file").asText())) {
                wrong = "names the file '" + why.path("file").asText() + "'";
            }
            if (!("inbox/.failed/" + file.getFileName()).equals(why.path("kept_as").asText())) {
                wrong = "kept_as is '" + why.path("kept_as").asText() + "'";
            }
            if (wrong != null) {
                problems.add("inbox " + in.c().label() + ": " + wrong + ": " + cut(why.toString()));
            }
        }
        try (Stream<Path> all = Files.list(failed)) {
            long count = all.count();
            if (count != 2L * files.size()) {
                problems.add(".failed/ holds " + count + " files, expected " + 2 * files.size());
            }
        }
        List<Path> left = regularFiles(inbox);
        if (!left.isEmpty()) {
            problems.add("left in the inbox: " + left);
        }
        List<Path> done = regularFiles(inbox.resolve(".done"));
        if (!done.isEmpty()) {
            problems.add("accepted into inbox/.done/: " + done);
        }
    }

    /** The kept originals in .failed/ (not their .error.json), by the name they had in the inbox. */
    private static Map<String, List<Path>> keptByOriginalName(Path failed) throws IOException {
        Map<String, List<Path>> byName = new LinkedHashMap<>();
        Set<String> names;
        try (Stream<Path> all = Files.list(failed)) {
            names = all.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        for (String n : names) {
            boolean isErrorOfAnother = n.endsWith(".error.json")
                    && names.contains(n.substring(0, n.length() - ".error.json".length()));
            var m = STAMP.matcher(n);
            if (!isErrorOfAnother && m.lookingAt()) {
                byName.computeIfAbsent(n.substring(m.end()), k -> new ArrayList<>()).add(failed.resolve(n));
            }
        }
        return byName;
    }

    private static Path errorFile(Path kept) {
        return kept.resolveSibling(kept.getFileName() + ".error.json");
    }

    private static List<Path> regularFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    /** Null when {@code answer} has a non-empty errors list naming every expected field, else what is wrong. */
    private static String checkErrors(JsonNode answer, Set<String> expectedFields) {
        JsonNode errors = answer.path("errors");
        if (!errors.isArray() || errors.isEmpty()) {
            return "no errors";
        }
        if (errors.get(0).path("message").asText().isBlank()) {
            return "first message blank";
        }
        Set<String> fields = new HashSet<>();
        for (JsonNode e : errors) {
            if (!e.path("field").isTextual() || e.path("message").asText().isBlank()) {
                return "an error without field or message";
            }
            fields.add(e.path("field").asText());
        }
        if (!fields.containsAll(expectedFields)) {
            return "expected fields " + expectedFields + ", got " + fields;
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ the plan

    /** Expands the cases into inputs (a BOTH case goes through each door) and names the inbox files. */
    private static List<Input> plan(List<Case> cases) {
        List<String> odd = new ArrayList<>(oddFileNames());
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<Input> out = new ArrayList<>();
        for (Case c : cases) {
            int n = seen.merge(c.category(), 1, Integer::sum);
            List<Door> doors = switch (c.door()) {
                case BOTH -> List.of(Door.INBOX, Door.HTTP);
                case HTTP -> List.of(Door.HTTP);
                case INBOX -> List.of(Door.INBOX);
            };
            for (Door d : doors) {
                String name = null;
                if (d == Door.INBOX) {
                    name = odd.isEmpty() ? c.category() + "-" + String.format("%03d", n) + ".json" : odd.remove(0);
                }
                out.add(new Input(c, d, name));
            }
        }
        return out;
    }

    /** Odd but legal single file names, all ending in .json and none starting with a dot. */
    private static List<String> oddFileNames() {
        String longName = "long-" + "x".repeat(200 - "long-".length() - ".json".length()) + ".json";
        return List.of("job with spaces.json", "  leading spaces.json", "ジョブ ファイル.json", "émoji 🎬 clip.json",
                "Ωmega αλφα.json", longName, "a..json", "double..dots...json", "$(rm -rf ~).json",
                "${file:name}.json", "${date:now:yyyy}.json", "%2e%2e%2fetc%2fpasswd.json", "%2F..%2F..%2Fetc.json",
                "semi;colon&amp|pipe.json", "quote'\"s.json", "star*question?.json", "#hash[1]{2}.json",
                "-rf --no-preserve-root.json", "CON.json", "foo.error.json", "name.json.json", "~tilde.json",
                "+plus=equals.json", "@at!bang.json", "nbsp\u00a0name.json", "zero\u200bwidth.json",
                "rtl\u202egnp.json", "UPPER AND lower.json");
    }

    // ----------------------------------------------------------------------------------------------- generator

    private static final List<String> STRING_FIELDS = List.of("youtube_url", "script", "portrait_prompt", "language",
            "resolution");
    private static final List<String> NUMBER_FIELDS = List.of("segment_start", "segment_end", "seed",
            "diffusion_steps", "text_guide_scale", "audio_guide_scale");

    /** Every malformed case, the same ones on every run. */
    static List<Case> generate(Random rnd) {
        List<Case> cases = new ArrayList<>();
        Gen g = new Gen(cases);

        // wrong types for every field
        List<String> notStrings = List.of("42", "3.5", "-1", "0", "true", "false", "[]", "[" + str(URL) + "]", "{}",
                "{\"url\": " + str(URL) + "}", "[[1, 2], {\"a\": null}]");
        List<String> notNumbers = List.of("\"12\"", "\"abc\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e3\"",
                "\"\"", "true", "false", "[1]", "[]", "{\"value\": 1}", "{}");
        for (String f : STRING_FIELDS) {
            for (String v : pick(rnd, notStrings, 5)) {
                g.add("wrong-type", f + "=" + v, with(f, v), f);
            }
        }
        for (String f : NUMBER_FIELDS) {
            for (String v : pick(rnd, notNumbers, 5)) {
                g.add("wrong-type", f + "=" + v, with(f, v), f);
            }
        }
        g.add("wrong-type", "youtube_url=null", with("youtube_url", "null"), "youtube_url");
        g.add("wrong-type", "script=null", with("script", "null"), "script");

        // missing or blank required fields
        g.add("missing", "no youtube_url", with("youtube_url", null), "youtube_url");
        g.add("missing", "no script", with("script", null), "script");
        g.add("missing", "{}", "{}", "youtube_url", "script");
        g.add("missing", "prompt only", obj("portrait_prompt", str("a face")), "youtube_url", "script");
        g.add("missing", "blank url", with("youtube_url", str("")), "youtube_url");
        g.add("missing", "spaces url", with("youtube_url", str("   ")), "youtube_url");
        g.add("missing", "blank script", with("script", str("")), "script");
        g.add("missing", "whitespace script", with("script", str(" \n\t ")), "script");
        g.add("missing", "other names", obj("url", str(URL), "text", str(SCRIPT)), "youtube_url", "script", "url",
                "text");

        // not a JSON object, or not JSON at all
        String valid = with("seed", "7");
        for (String[] s : new String[][] {{"empty", ""}, {"whitespace", "  \n\t "}, {"array", "[]"},
                {"array of job", "[" + valid + "]"}, {"string", "\"str\""}, {"null", "null"}, {"number", "42"},
                {"boolean", "true"}, {"trailing garbage", valid + " x"}, {"trailing brace", valid + "}"},
                {"two objects", valid + valid}, {"trailing comma after", valid + ","},
                {"unterminated", "{\"youtube_url\": "}, {"unterminated string", "{\"youtube_url\": \"" + URL},
                {"unquoted keys", "{youtube_url: " + str(URL) + ", script: " + str(SCRIPT) + "}"},
                {"single quotes", "{'youtube_url': '" + URL + "', 'script': 'hi'}"},
                {"comment", "// a job\n" + valid}, {"NaN literal", valid.replace("7", "NaN")},
                {"trailing comma", valid.replace("}", ",}")}, {"missing comma", valid.replace(", \"script\"",
                " \"script\"")}, {"xml", "<job><youtube_url>" + URL + "</youtube_url></job>"},
                {"form", "youtube_url=" + URL + "&script=hi"}, {"duplicate youtube_url", "{\"youtube_url\": "
                        + str(URL) + ", \"youtube_url\": \"https://evil.com/x\", \"script\": " + str(SCRIPT) + "}"},
                {"duplicate script", "{\"youtube_url\": " + str(URL) + ", \"script\": \"a\", \"script\": \"b\"}"},
                {"deep nesting 25", with("portrait_prompt", nest(25))},
                {"deep nesting 3000", with("portrait_prompt", nest(3000))},
                {"deep object nesting", "{\"a\":".repeat(50) + "1" + "}".repeat(50)}}) {
            g.add("structure", s[0], s[1], "body");
        }
        g.add("structure", "nesting 10 in a field", with("portrait_prompt", nest(10)), "portrait_prompt");
        g.add("structure", "raw NUL body", new byte[] {0, 0, 0}, "body");

        // huge
        g.both("huge", "script of 100 KB", with("script", str(words(rnd, 100_000))), "body");
        g.both("huge", "1 MB body", with("portrait_prompt", str("a".repeat(1 << 20))), "body");
        g.both("huge", "70 KB body", pad(with("seed", "7"), 70 * 1024), "body");
        g.add("huge", "65537 bytes", pad(with("seed", "7"), MAX_BYTES + 1), "body");
        g.add("huge", "1 MB of [", "[".repeat(1 << 20), "body");
        g.add("huge", "script 1001 chars", with("script", str("a".repeat(1001))), "script");
        g.add("huge", "script 60 KB", with("script", str(words(rnd, 60_000))), "script");
        g.add("huge", "prompt 2001 chars", with("portrait_prompt", str("b".repeat(2001))), "portrait_prompt");
        g.add("huge", "prompt 50 KB", with("portrait_prompt", str("c".repeat(50_000))), "portrait_prompt");
        g.add("huge", "url 301 chars", with("youtube_url", str(URL + "&x=" + "a".repeat(301 - URL.length() - 3))),
                "youtube_url");
        g.add("huge", "url 40 KB", with("youtube_url", str(URL + "&x=" + "a".repeat(40_000))), "youtube_url");
        g.add("huge", "language 11 chars", with("language", str("en-AAAAAAAA")), "language");
        g.add("huge", "resolution 41 chars", with("resolution", str("infinitetalk-480" + "0".repeat(25))),
                "resolution");
        String longKey = "k".repeat(10_000);
        g.add("huge", "10 KB key", with(longKey, "1"), longKey.substring(0, 60) + "...");
        g.add("huge", "seed of 2000 digits", with("seed", "9".repeat(2000)), "body");
        g.add("huge", "1000 unknown fields", many(1000), "f0");

        // bad UTF-8 bytes inside strings, everything else valid
        int[][] bad = {{0xC3, 0x28}, {0xFF}, {0xFE}, {0xC0, 0xAF}, {0xE0, 0x80, 0xAF}, {0xF0, 0x80, 0x80, 0xAF},
                {0xC1, 0xBF}, {0xC0, 0x80}, {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF}, {0xF4, 0x90, 0x80, 0x80},
                {0x80}, {0xBF}, {0xE2, 0x82}, {0xF8, 0x88, 0x80, 0x80, 0x80}, {0xE9}};
        for (int[] seq : bad) {
            g.add("bad-utf8", "script with " + hex(seq), utf8Inside("script", SCRIPT, seq), "body");
        }
        g.add("bad-utf8", "url with C3 28", utf8Inside("youtube_url", "https://www.youtube.com/watch?v=ao8f3qy",
                new int[] {0xC3, 0x28}), "body");
        g.add("bad-utf8", "key with FF", concat(bytes("{\"youtube_url\": " + str(URL) + ", \"scr"), raw(0xFF),
                bytes("ipt\": " + str(SCRIPT) + "}")), "body");
        g.add("bad-utf8", "latin-1 cafe", concat(bytes("{\"youtube_url\": " + str(URL) + ", \"script\": \"Caf"),
                raw(0xE9), bytes(" au lait.\"}")), "body");
        g.add("bad-utf8", "UTF-16 body", with("seed", "7").getBytes(StandardCharsets.UTF_16LE), "body");
        g.add("bad-utf8", "escaped lone high surrogate", with("script", "\"Hello \\ud800 there.\""), "script");
        g.add("bad-utf8", "escaped lone low surrogate", with("script", "\"Hello \\udc00 there.\""), "script");
        g.add("bad-utf8", "escaped lone surrogate in a key", with("\\ud800", "1"));
        g.add("bad-utf8", "escaped reversed pair", with("portrait_prompt", "\"a face \\ude00\\ud83d\""),
                "portrait_prompt");

        // control characters
        for (String[] s : new String[][] {{"script", "Hello\\u0000there."}, {"youtube_url", URL + "\\u0007"},
                {"portrait_prompt", "\\u001b[31mred face"}, {"language", "en\\u007f"}, {"script", "Hi\\u0085there."},
                {"resolution", "infinitetalk-480\\u009b"}, {"script", "Back\\bspace."},
                {"youtube_url", "\\u0000" + URL}}) {
            g.add("control", s[0] + " with " + s[1].replaceAll(".*(\\\\u....|\\\\b).*", "$1"),
                    with(s[0], "\"" + s[1] + "\""), s[0]);
        }
        for (int ctl : new int[] {0x00, 0x01, 0x1B, 0x09, 0x0A}) {
            g.add("control", "raw " + hex(new int[] {ctl}) + " in a string", utf8Inside("script", SCRIPT,
                    new int[] {ctl}), "body");
        }
        g.add("control", "control char in a key", with("scr\\u0000ipt", str(SCRIPT)), "scr?ipt");

        // path tricks in the fields (the file names get theirs in plan())
        for (String u : List.of("file:///etc/passwd", "https://www.youtube.com/watch?v=../../etc",
                "https://www.youtube.com/watch?v=../../../etc/passwd", "https://youtube.com.evil.com/watch?v=ao8f3qyMoLM",
                "https://www.youtube.com@evil.com/watch?v=ao8f3qyMoLM",
                "https://www.youtube.com:443@evil.com/watch?v=ao8f3qyMoLM", "javascript:", "javascript:alert(1)",
                "http://127.0.0.1:8456/api/download", "http://localhost:8100/api/tts",
                "https://www.youtube.com/watch?v=ao8f3qyMoL", "https://www.youtube.com/watch?v=ao8f3qyMoLMx",
                "https://youtu.be/ao8f3qyMoLMxy", "https://www.youtub\u0435.com/watch?v=ao8f3qyMoLM",
                "https://www.y\u043eutube.com/watch?v=ao8f3qyMoLM", "https://\uff59\uff4f\uff55\uff54\uff55\uff42\uff45"
                        + ".com/watch?v=ao8f3qyMoLM", "https://youtu.be/ao8f3qyMoLM/../../etc/passwd",
                "https://www.youtube.com/watch?v=ao8f3qyMoLM#/../../etc", "https://www.youtube.com/watch?v=ao8f3"
                        + "qyMoLM&next=http://evil.com/", "https://www.youtube.com/shorts/ao8f3qyMoLM/../../x",
                "/etc/passwd", "../../../../etc/passwd", "\\\\evil\\share\\v.mp4", URL + "\u200b",
                "https://www.youtube.com/watch?v=ao8f3qyMoLM%00", "https://www.youtube.com/watch?v=%2e%2e%2f%2e%2e%2f")) {
            g.add("path-tricks", "url " + u, with("youtube_url", str(u)), "youtube_url");
        }
        g.add("path-tricks", "resolution ../../etc/passwd", with("resolution", str("../../etc/passwd")), "resolution");
        g.add("path-tricks", "language ../en", with("language", str("../en")), "language");

        // URLs that are not YouTube videos
        for (String u : List.of("https://vimeo.com/123456789", "https://player.vimeo.com/video/123456789",
                "https://www.youtube-nocookie.com/embed/ao8f3qyMoLM",
                "https://www.youtube-nocookie.com/watch?v=ao8f3qyMoLM", "youtube.com/watch?v=ao8f3qyMoLM",
                "www.youtube.com/watch?v=ao8f3qyMoLM", "https://example.com/watch?v=ao8f3qyMoLM", "https://example.com",
                "ftp://www.youtube.com/watch?v=ao8f3qyMoLM", "ftp://youtu.be/ao8f3qyMoLM",
                "https://music.youtube.com/watch?v=ao8f3qyMoLM", "https://www.youtube.com/embed/ao8f3qyMoLM",
                "https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf",
                "https://www.youtube.com/@handle", "https://www.dailymotion.com/video/x7tgad0",
                "https://www.twitch.tv/videos/123456", "rtmp://live.example.com/app/stream", "ao8f3qyMoLM",
                "https://youtu.be/", "https://www.youtube.com/", "mailto:someone@youtube.com",
                "https://www.tiktok.com/@someone/video/7234567890123456789")) {
            g.add("non-youtube", u, with("youtube_url", str(u)), "youtube_url");
        }

        // numbers out of range
        for (String[] s : new String[][] {{"segment_start", "0", "segment_end", "61", "segment_end"},
                {"segment_start", "10", "segment_end", "100", "segment_end"},
                {"segment_start", "30", "segment_end", "5", "segment_end"},
                {"segment_start", "20", "segment_end", "20", "segment_end"},
                {"segment_start", "0", "segment_end", "4", "segment_end"},
                {"segment_start", "-1", "segment_end", "30", "segment_start"},
                {"segment_start", "0", "segment_end", "-5", "segment_end"},
                {"segment_start", "90000", "segment_end", "90030", "segment_start"},
                {"segment_start", "0", "segment_end", "1e30", "segment_end"},
                {"segment_start", "100", "segment_end", null, "segment_end"},
                {"seed", "-1", null, null, "seed"}, {"seed", "1e30", null, null, "seed"},
                {"seed", "4294967296", null, null, "seed"}, {"seed", "1.5", null, null, "seed"},
                {"seed", "1e400", null, null, "seed"}, {"seed", "-1e400", null, null, "seed"},
                {"diffusion_steps", "0", null, null, "diffusion_steps"},
                {"diffusion_steps", "101", null, null, "diffusion_steps"},
                {"diffusion_steps", "2.5", null, null, "diffusion_steps"},
                {"diffusion_steps", "-3", null, null, "diffusion_steps"},
                {"text_guide_scale", "-1", null, null, "text_guide_scale"},
                {"text_guide_scale", "21", null, null, "text_guide_scale"},
                {"text_guide_scale", "20.5", null, null, "text_guide_scale"},
                {"audio_guide_scale", "-1", null, null, "audio_guide_scale"},
                {"audio_guide_scale", "21", null, null, "audio_guide_scale"},
                {"audio_guide_scale", "-0.001", null, null, "audio_guide_scale"},
                {"resolution", "\"1080p\"", null, null, "resolution"},
                {"resolution", "\"infinitetalk-1080\"", null, null, "resolution"},
                {"resolution", "\"INFINITETALK-480\"", null, null, "resolution"},
                {"resolution", "\"480\"", null, null, "resolution"},
                {"language", "\"english\"", null, null, "language"}, {"language", "\"EN\"", null, null, "language"},
                {"language", "\"e\"", null, null, "language"}, {"language", "\"en_US\"", null, null, "language"},
                {"language", "\"zz-123456\"", null, null, "language"}}) {
            Map<String, String> m = base();
            m.put(s[0], s[1]);
            if (s[2] != null) {
                m.put(s[2], s[3]);
            }
            g.add("out-of-range", s[0] + "=" + s[1] + (s[2] == null ? "" : " " + s[2] + "=" + s[3]), json(m), s[4]);
        }

        // scripts clearly longer than the 8-second video
        for (int n : new int[] {26, 40, 100, 300}) {
            g.add("too-long", n + " words", with("script", str(words(rnd, n, " "))), "script");
        }
        g.add("too-long", "40 words, tabs and newlines", with("script", str(words(rnd, 40, "\t\n"))), "script");
        g.add("too-long", "30 one-letter words", with("script", str("a b c d e f g h i j ".repeat(3).trim())),
                "script");

        // unknown fields
        for (String[] s : new String[][] {{"youtubeUrl", str(URL)}, {"Script", str(SCRIPT)}, {"url", str(URL)},
                {"callback_url", str("http://evil.com/hook")}, {"__proto__", "{\"admin\": true}"},
                {"output_path", str("/etc/passwd")}, {"job_id", str("../../etc")}, {"status", str("done")},
                {"", "1"}, {"youtube_url ", str(URL)}, {"YOUTUBE_URL", str(URL)},
                {"steps", "{\"audio\": {\"state\": \"done\"}}"}}) {
            g.add("unknown-field", "'" + s[0] + "'", with(s[0], s[1]), s[0]);
        }

        // a valid body with the wrong Content-Type (HTTP only)
        for (String ct : new String[] {"text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=xyz", "application/xml", "text/json"}) {
            cases.add(new Case("content-type", "Content-Type " + ct, bytes(with("seed", "7")),
                    Set.of("Content-Type"), Door.HTTP, ct));
        }

        // several faults at once, drawn with the seed
        Map<String, List<String>> faults = new LinkedHashMap<>();
        faults.put("youtube_url", List.of("42", str("https://vimeo.com/1"), "[]", str("file:///etc/passwd")));
        faults.put("script", List.of("true", "{}", str(words(rnd, 50, " ")), str("")));
        faults.put("portrait_prompt", List.of("1", "[\"a\"]", str("p".repeat(2001))));
        faults.put("language", List.of(str("english"), "7"));
        faults.put("resolution", List.of(str("1080p"), "false"));
        faults.put("segment_start", List.of("-1", str("10"), "90000"));
        faults.put("segment_end", List.of(str("70"), "-2", "1e30"));
        faults.put("seed", List.of("-1", "1e30", "1.5", str("42")));
        faults.put("diffusion_steps", List.of("0", "101", "2.5"));
        faults.put("text_guide_scale", List.of("-1", "21", str("5")));
        faults.put("audio_guide_scale", List.of("-1", "21", "[]"));
        List<String> fieldNames = new ArrayList<>(faults.keySet());
        for (int i = 0; i < 30; i++) {
            List<String> chosen = pick(rnd, fieldNames, 2 + rnd.nextInt(3));
            Map<String, String> m = base();
            Set<String> expected = new LinkedHashSet<>(chosen);
            for (String f : chosen) {
                List<String> pool = faults.get(f);
                m.put(f, pool.get(rnd.nextInt(pool.size())));
            }
            if (rnd.nextInt(4) == 0) {
                m.put("bogus_" + i, "1");
                expected.add("bogus_" + i);
            }
            g.add("mixed", String.join("+", expected), json(m), expected.toArray(String[]::new));
        }
        return cases;
    }

    /** Adds cases, alternating the door within each category so both doors see every category. */
    private static final class Gen {
        private final List<Case> cases;
        private final Map<String, Integer> count = new LinkedHashMap<>();

        Gen(List<Case> cases) {
            this.cases = cases;
        }

        void add(String category, String label, String body, String... fields) {
            add(category, label, bytes(body), fields);
        }

        void add(String category, String label, byte[] body, String... fields) {
            int n = count.merge(category, 1, Integer::sum);
            Door door = (n + category.length()) % 2 == 0 ? Door.INBOX : Door.HTTP;
            cases.add(new Case(category, category + ": " + label, body, Set.of(fields), door, "application/json"));
        }

        void both(String category, String label, String body, String... fields) {
            count.merge(category, 1, Integer::sum);
            cases.add(new Case(category, category + ": " + label, bytes(body), Set.of(fields), Door.BOTH,
                    "application/json"));
        }
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private static Map<String, String> base() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("youtube_url", str(URL));
        m.put("script", str(SCRIPT));
        return m;
    }

    /** The valid base job with one field set to a raw JSON value (or removed when null). */
    private static String with(String field, String rawValue) {
        Map<String, String> m = base();
        if (rawValue == null) {
            m.remove(field);
        } else {
            m.put(field, rawValue);
        }
        return json(m);
    }

    /** Keys are written as given (so they may hold JSON escapes); values are raw JSON. */
    private static String json(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String obj(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return json(m);
    }

    private static String str(String s) {
        try {
            return JobClient.JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String nest(int depth) {
        return "[".repeat(depth) + "\"x\"" + "]".repeat(depth);
    }

    private static String many(int n) {
        Map<String, String> m = base();
        for (int i = 0; i < n; i++) {
            m.put("f" + i, String.valueOf(i));
        }
        return json(m);
    }

    /** The JSON padded with trailing spaces inside the object to exactly {@code size} bytes. */
    private static String pad(String json, int size) {
        return json.substring(0, json.length() - 1) + " ".repeat(size - json.length()) + "}";
    }

    private static final String[] WORDS = {"the", "voice", "of", "a", "speaker", "cut", "from", "YouTube", "says",
            "hello", "world", "again", "and", "again", "slowly"};

    /** Words drawn with the seed until {@code chars} characters. */
    private static String words(Random rnd, int chars) {
        StringBuilder b = new StringBuilder();
        while (b.length() < chars) {
            b.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
        }
        return b.substring(0, chars);
    }

    private static String words(Random rnd, int n, String separators) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(separators.charAt(rnd.nextInt(separators.length())));
            }
            b.append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    private static <T> List<T> pick(Random rnd, List<T> from, int n) {
        List<T> copy = new ArrayList<>(from);
        Collections.shuffle(copy, rnd);
        return copy.subList(0, n);
    }

    /** A valid job whose {@code field} holds {@code text} followed by the raw bytes {@code seq} and more text. */
    private static byte[] utf8Inside(String field, String text, int[] seq) {
        Map<String, String> m = base();
        m.remove(field);
        String prefix = "{\"" + field + "\": \"" + text;
        String suffix = " end\"" + (m.isEmpty() ? "" : ", ") + json(m).substring(1);
        return concat(bytes(prefix), raw(seq), bytes(suffix));
    }

    private static byte[] raw(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(int[] seq) {
        return Arrays.stream(seq).mapToObj(i -> String.format("%02X", i)).collect(Collectors.joining(" "));
    }

    private static String cut(String s) {
        return s == null ? "null" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static String summary(List<Input> inputs, Map<String, Integer> statuses) {
        Map<String, int[]> per = new LinkedHashMap<>();
        for (Input in : inputs) {
            per.computeIfAbsent(in.c().category(), k -> new int[2])[in.door() == Door.INBOX ? 0 : 1]++;
        }
        long files = inputs.stream().filter(i -> i.door() == Door.INBOX).count();
        return "MalformedInputIT: " + inputs.size() + " malformed inputs (seed " + SEED + "), inbox " + files
                + ", http " + (inputs.size() - files) + "; by category (inbox/http): " + per.entrySet().stream()
                .map(e -> e.getKey() + " " + (e.getValue()[0] + e.getValue()[1]) + " (" + e.getValue()[0] + "/"
                        + e.getValue()[1] + ")").collect(Collectors.joining(", ")) + "; http statuses " + statuses
                + " (413 body " + tooLarge + ")" + "; all refused with a reason, 0 jobs, 0 service calls, all routes started";
    }
}
