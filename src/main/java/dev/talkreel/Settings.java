package dev.talkreel;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Settings outside Camel (the emulators, the demo): a properties file, overridden by {@code -Dkey=value} and by an
 * environment variable named like the key in upper case with dots and dashes as underscores
 * ({@code talkreel.http.port} -> {@code TALKREEL_HTTP_PORT}), the same rules Camel applies to the orchestrator.
 */
public final class Settings {
    private final Map<String, String> values = new TreeMap<>();

    private Settings() {
    }

    public static Settings load(Path... files) {
        Settings s = new Settings();
        for (Path file : files) {
            if (Files.isRegularFile(file)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
                }
                p.stringPropertyNames().forEach(k -> s.values.put(k, p.getProperty(k).trim()));
            }
        }
        return s;
    }

    /** A setting, after -D and environment overrides, with {@code ${other.key}} references resolved; null if unset. */
    public String get(String key) {
        String v = System.getProperty(key);
        if (v == null) {
            v = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        if (v == null) {
            v = values.get(key);
        }
        return v == null ? null : resolve(v, 0);
    }

    public String get(String key, String fallback) {
        String v = get(key);
        return v == null || v.isBlank() ? fallback : v;
    }

    public int getInt(String key, int fallback) {
        String v = get(key);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    /** Every key under {@code prefix} (without the prefix), overrides applied. */
    public Map<String, String> under(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(k -> out.put(k.substring(prefix.length()), get(k)));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> out.put(k.substring(prefix.length()), get(k)));
        return out;
    }

    private String resolve(String v, int depth) {
        int start = v.indexOf("{{");
        if (start < 0 || depth > 10) {
            return v;
        }
        int end = v.indexOf("}}", start);
        if (end < 0) {
            return v;
        }
        String key = v.substring(start + 2, end);
        String inner = get(key);
        return resolve(v.substring(0, start) + (inner == null ? "" : inner) + v.substring(end + 2), depth + 1);
    }
}
