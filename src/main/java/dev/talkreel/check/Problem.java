package dev.talkreel.check;

/**
 * One thing wrong with the routes or the settings, where an editor can jump to it: {@code file:line: message}.
 * A line of 0 means the file as a whole (a problem with no single line, e.g. a file that cannot be read).
 */
public record Problem(String file, int line, String message) implements Comparable<Problem> {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }

    @Override
    public int compareTo(Problem o) {
        int byFile = file.compareTo(o.file);
        return byFile != 0 ? byFile : Integer.compare(line, o.line);
    }
}
