package dev.talkreel.emulator.yttools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Json;
import dev.talkreel.emulator.Reply;
import dev.talkreel.emulator.ReplyException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /api/download}, checked the way the FastAPI app checks it: pydantic first (422 with a list of
 * errors, lax coercion of strings to numbers and booleans), then the app's own rules (400 with a one-line reason).
 */
record DownloadRequest(String url, String videoId, double startTime, double endTime, String audioFormat) {
    static final double MAX_SEGMENT_SECONDS = 60;
    private static final Set<String> FORMATS = Set.of("mp3", "wav");
    /** The strings and integers pydantic's lax mode reads as a boolean. */
    private static final Set<String> BOOLEAN_WORDS = Set.of("1", "on", "t", "true", "y", "yes", "0", "off", "f",
            "false", "n", "no");
    /** watch?v=, youtu.be/ and shorts/ links, on youtube.com, www. or m.; the video id is always 11 characters. */
    private static final Pattern YOUTUBE = Pattern.compile("^https?://(?:(?:www\\.|m\\.)?youtube\\.com/"
            + "(?:watch\\?(?:[^#]*&)?v=|shorts/)|youtu\\.be/)([A-Za-z0-9_-]{11})(?:[?&#/].*)?$");

    double seconds() {
        return endTime - startTime;
    }

    static DownloadRequest parse(byte[] body) {
        if (body.length == 0) {
            throw unprocessable(error("missing", NullNode.getInstance(), "Field required", "body"));
        }
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (Exception e) {
            ObjectNode entry = error("json_invalid", Json.object(), "JSON decode error", "body");
            ((ArrayNode) entry.get("loc")).add(0);
            entry.putObject("ctx").put("error", "Expecting value");
            throw unprocessable(entry);
        }
        if (!json.isObject()) {
            throw unprocessable(error("model_attributes_type", json,
                    "Input should be a valid dictionary or object to extract fields from", "body"));
        }
        ArrayNode errors = Json.MAPPER.createArrayNode();
        String url = text(json, "url", null, errors);
        Double start = number(json, "start_time", 40, errors);
        Double end = number(json, "end_time", 70, errors);
        String format = text(json, "audio_format", "mp3", errors);
        // checked like the real model, then ignored: a transcript is no part of the contract the pipeline uses
        bool(json, "enable_whisper", errors);
        if (!errors.isEmpty()) {
            throw new ReplyException(Reply.json(422, Map.of("detail", errors)));
        }
        Matcher m = YOUTUBE.matcher(url.trim());
        if (!m.matches()) {
            throw badRequest("Invalid YouTube URL: " + url);
        }
        if (!FORMATS.contains(format)) {
            throw badRequest("Unsupported audio_format '" + format + "': use 'mp3' or 'wav'");
        }
        if (!Double.isFinite(start) || !Double.isFinite(end)) {
            throw badRequest("start_time and end_time must be finite numbers");
        }
        if (start < 0) {
            throw badRequest("start_time must be >= 0, got " + show(start));
        }
        if (end <= start) {
            throw badRequest("end_time (" + show(end) + ") must be greater than start_time (" + show(start) + ")");
        }
        if (end - start > MAX_SEGMENT_SECONDS) {
            throw badRequest("Segment too long: " + show(end - start) + " s (" + show(start) + " to " + show(end)
                    + "); the maximum is " + show(MAX_SEGMENT_SECONDS) + " s");
        }
        return new DownloadRequest(url, m.group(1), start, end, format);
    }

    private static String text(JsonNode json, String field, String fallback, ArrayNode errors) {
        JsonNode v = json.get(field);
        if (v == null) {
            if (fallback == null) {
                errors.add(error("missing", json, "Field required", "body", field));
            }
            return fallback;
        }
        if (!v.isTextual()) {
            errors.add(error("string_type", v, "Input should be a valid string", "body", field));
            return null;
        }
        return v.asText();
    }

    private static Double number(JsonNode json, String field, double fallback, ArrayNode errors) {
        JsonNode v = json.get(field);
        if (v == null) {
            return fallback;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                errors.add(error("float_parsing", v,
                        "Input should be a valid number, unable to parse string as a number", "body", field));
                return null;
            }
        }
        errors.add(error("float_type", v, "Input should be a valid number", "body", field));
        return null;
    }

    private static void bool(JsonNode json, String field, ArrayNode errors) {
        JsonNode v = json.get(field);
        if (v == null || v.isBoolean()) {
            return;
        }
        String t = v.isTextual() || v.isIntegralNumber() ? v.asText().trim().toLowerCase(Locale.ROOT) : "";
        if (BOOLEAN_WORDS.contains(t)) {
            return;
        }
        boolean parsable = v.isTextual() || v.isNumber();
        errors.add(error(parsable ? "bool_parsing" : "bool_type", v, parsable
                ? "Input should be a valid boolean, unable to interpret input" : "Input should be a valid boolean",
                "body", field));
    }

    /** One entry of FastAPI's 422 "detail" list. */
    private static ObjectNode error(String type, JsonNode input, String msg, String... loc) {
        ObjectNode e = Json.object();
        e.put("type", type);
        ArrayNode l = e.putArray("loc");
        for (String part : loc) {
            l.add(part);
        }
        e.put("msg", msg);
        e.set("input", input);
        return e;
    }

    private static ReplyException unprocessable(ObjectNode entry) {
        return new ReplyException(Reply.json(422, Map.of("detail", Json.MAPPER.createArrayNode().add(entry))));
    }

    private static ReplyException badRequest(String detail) {
        return new ReplyException(Reply.json(400, Map.of("detail", detail)));
    }

    /** 40.0 as "40", 12.5 as "12.5": the numbers a reader typed. */
    private static String show(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
