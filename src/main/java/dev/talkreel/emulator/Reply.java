package dev.talkreel.emulator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What an emulated endpoint answers: a status, a content type, and a body held in memory or streamed from a file. */
public final class Reply {
    final int status;
    final String contentType;
    final byte[] body;
    final Path file;
    final Map<String, String> headers = new LinkedHashMap<>();

    private Reply(int status, String contentType, byte[] body, Path file) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.file = file;
    }

    public static Reply json(int status, Object value) {
        return new Reply(status, "application/json", Json.bytes(value), null);
    }

    public static Reply json(Object value) {
        return json(200, value);
    }

    public static Reply text(int status, String contentType, String text) {
        return new Reply(status, contentType, text.getBytes(StandardCharsets.UTF_8), null);
    }

    /** Bytes held in memory, of the given type (a WAV from the raw-WAV TTS endpoint). */
    public static Reply bytes(String contentType, byte[] body) {
        return new Reply(200, contentType, body, null);
    }

    /** An answer with no body (ComfyUI's /view errors, /interrupt, /free). */
    public static Reply empty(int status) {
        return new Reply(status, null, new byte[0], null);
    }

    /** Streams {@code file} from disk; it is never loaded into memory. */
    public static Reply file(Path file, String contentType) {
        return new Reply(200, contentType, null, file);
    }

    public Reply header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }
}
