package dev.talkreel.service.vibevoice;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.talkreel.files.AtomicFiles;
import dev.talkreel.job.JobStore;
import dev.talkreel.pipeline.StepFailedException;
import dev.talkreel.service.ServiceReplyException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * vibevoice-api's reply (docs/SERVICES.md §3.2): the speech as base64 inside JSON. It is decoded while it streams
 * in, straight into voice.wav, so not even this reply is held whole in memory.
 */
public final class VibevoiceReplies {
    /** The short text fields kept with the step; any other text is never read into memory. */
    private static final Set<String> SMALL_TEXT_FIELDS = Set.of("format", "model_used");
    private final JsonFactory json = new JsonFactory();
    private final JobStore jobs;

    public VibevoiceReplies(JobStore jobs) {
        this.jobs = jobs;
    }

    /** Writes the job's voice.wav from the reply stream; returns the reply's other facts (duration, sample rate...). */
    public Map<String, Object> speech(InputStream reply, String jobId) throws IOException {
        return speech(reply, jobs.volume().jobDir(jobId).resolve("voice.wav"));
    }

    Map<String, Object> speech(InputStream reply, Path target) throws IOException {
        if (reply == null) {
            throw new ServiceReplyException("vibevoice-api sent no body");
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        boolean found = false;
        try (InputStream in = reply; JsonParser p = json.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ServiceReplyException("vibevoice-api answered with something other than a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("audio_base64".equals(field) && value == JsonToken.VALUE_STRING) {
                    AtomicFiles.write(target, out -> p.readBinaryValue(out));
                    found = true;
                } else if (value.isNumeric()) {
                    facts.put("vibevoice_" + field, p.getNumberValue());
                } else if (value == JsonToken.VALUE_STRING && SMALL_TEXT_FIELDS.contains(field)) {
                    facts.put("vibevoice_" + field, p.getText());
                } else if (value.isScalarValue() && value != JsonToken.VALUE_STRING) {
                    facts.put("vibevoice_" + field, p.getText());
                } else {
                    // any other text is skipped unread: a service could send a huge one
                    p.skipChildren();
                }
            }
        }
        if (!found) {
            throw new ServiceReplyException("vibevoice-api answered without audio_base64");
        }
        return facts;
    }
}
