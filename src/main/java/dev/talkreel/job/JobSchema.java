package dev.talkreel.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.talkreel.Beside;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The job's fields as config/job.schema.json (talkreel.job.schema) declares them, checked with the networknt
 * validator that camel-json-validator wraps. The schema is read once at start (beside it, in serve) and itself checked
 * against JSON Schema 2020-12, so a broken edit stops the start with the file's name instead of refusing every job.
 */
public final class JobSchema {
    private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
    /** The schema keyword holding per-keyword messages, as networknt's errorMessageKeyword calls it. */
    static final String MESSAGE_KEYWORD = "message";

    /** The schema file read and checked, and the validator made from it. */
    private record Loaded(JsonNode root, JsonSchema schema, SchemaMessages messages) {
    }

    private final CompletableFuture<Loaded> loaded;

    private JobSchema(CompletableFuture<Loaded> loaded) {
        this.loaded = loaded;
    }

    /** Reads and checks the schema file; the exception names the file and every problem in it. */
    public static JobSchema load(Path file) {
        return new JobSchema(CompletableFuture.completedFuture(read(file)));
    }

    /**
     * {@link #load} on a thread of its own, beside the start: setting up the validator takes a few hundred
     * milliseconds of a start that has better use for them. Its first use, or {@link #await()}, waits for it.
     */
    public static JobSchema loadBeside(Path file) {
        return new JobSchema(Beside.supply("job-schema", () -> read(file)));
    }

    /** Waits for the schema; throws what {@link #load} would have, so a broken edit still stops the start. */
    public void await() {
        loaded();
    }

    private Loaded loaded() {
        return Beside.result(loaded);
    }

    private static Loaded read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("job schema " + file + " cannot be read: " + e.getMessage(), e);
        }
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().errorMessageKeyword(MESSAGE_KEYWORD).build();
        Set<ValidationMessage> wrong = factory.getSchema(SchemaLocation.of(META_SCHEMA), config).validate(root);
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException("job schema " + file + " is not a valid JSON Schema 2020-12: "
                    + wrong.stream().map(ValidationMessage::getMessage).collect(Collectors.joining("; ")));
        }
        return new Loaded(root, factory.getSchema(root, config), new SchemaMessages(root));
    }

    /** Every field the schema refuses, one error per field: its first problem. */
    public List<FieldError> check(JsonNode job) {
        Map<String, FieldError> byField = new LinkedHashMap<>();
        Loaded schema = loaded();
        for (ValidationMessage m : schema.schema().validate(job)) {
            FieldError e = schema.messages().explain(m);
            byField.putIfAbsent(e.field(), e);
        }
        return List.copyOf(byField.values());
    }

    /**
     * Whether the schema declares this field ({@code voice.name} for a nested one) as text: a string, or one of an
     * enum of strings. A blank text there is the same as the field left out; elsewhere it is a wrong type.
     */
    public boolean isText(String field) {
        JsonNode node = loaded().root();
        for (String name : field.split("\\.")) {
            node = node.path("properties").path(name);
        }
        if ("string".equals(node.path("type").asText())) {
            return true;
        }
        JsonNode values = node.path("enum");
        boolean allText = values.isArray() && !values.isEmpty();
        for (JsonNode v : values) {
            allText &= v.isTextual();
        }
        return allText;
    }

    /** Whether the schema lists this top-level field as required. */
    public boolean required(String field) {
        for (JsonNode n : loaded().root().path("required")) {
            if (n.asText().equals(field)) {
                return true;
            }
        }
        return false;
    }
}
