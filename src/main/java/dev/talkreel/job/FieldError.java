package dev.talkreel.job;

/** One reason a job was refused: the field (or "body") and what is wrong with it. */
public record FieldError(String field, String message) {
}
