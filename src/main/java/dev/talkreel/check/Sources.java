package dev.talkreel.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The text of the files the check reads (route files and the config file), by Camel resource location
 * ({@code file:routes/x.camel.yaml}) or shown path: for the problems Camel reports without a line, the line of an
 * option under its endpoint, and the placeholder scan.
 */
final class Sources {
    private final Map<String, List<String>> lines = new LinkedHashMap<>();

    /** Reads a file once; a file that cannot be read has no lines (its load fails and says why). */
    List<String> lines(String location) {
        return lines.computeIfAbsent(location, l -> {
            try {
                return Files.readAllLines(path(l));
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        });
    }

    /** The first line (1-based) at or after {@code from} that matches, or 0. */
    int find(String location, Pattern pattern, int from) {
        return find(location, pattern, from, Integer.MAX_VALUE);
    }

    /** The first line (1-based) in {@code from .. from + within - 1} that matches, or 0. */
    int find(String location, Pattern pattern, int from, int within) {
        List<String> text = lines(location);
        int end = (int) Math.min(text.size(), (long) from - 1 + within);
        for (int i = Math.max(0, from - 1); i < end; i++) {
            if (pattern.matcher(text.get(i)).find()) {
                return i + 1;
            }
        }
        return 0;
    }

    /** The last line (1-based) at or before {@code from} that matches, or 0. */
    int findBackwards(String location, Pattern pattern, int from) {
        List<String> text = lines(location);
        for (int i = Math.min(from, text.size()) - 1; i >= 0; i--) {
            if (pattern.matcher(text.get(i)).find()) {
                return i + 1;
            }
        }
        return 0;
    }

    /** How a location is shown: relative to the working directory when under it, as an editor opens it. */
    static String display(String location) {
        if (location == null) {
            return "?";
        }
        Path p = path(location).toAbsolutePath().normalize();
        Path here = Path.of("").toAbsolutePath();
        return p.startsWith(here) ? here.relativize(p).toString() : p.toString();
    }

    private static Path path(String location) {
        return Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location);
    }
}
