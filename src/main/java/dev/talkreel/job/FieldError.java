package dev.talkreel.job;

/** One reason a job was refused: the field (or "body") and what is wrong with it. */
public record FieldError(String field, String message) {

    /** The job's top-level field this error is about ({@code voice} for {@code voice.cfg_scale}). */
    public String topLevel() {
        return field.split("[.\\[]", 2)[0];
    }

    /** A field name as it may be shown in an answer: cut at 60 characters, control characters as '?'. */
    public static String shown(String name) {
        String cut = name.length() > 60 ? name.substring(0, 60) + "..." : name;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
