package dev.talkreel.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** "Did you mean ...": the known names within two edits of a misspelt one ({@code responseTimout}). */
final class Suggestions {
    private static final int MAX_EDITS = 2;

    private Suggestions() {
    }

    static List<String> near(String word, List<String> known) {
        List<String> out = new ArrayList<>();
        for (String k : known) {
            if (distance(word.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT)) <= MAX_EDITS) {
                out.add(k);
            }
        }
        return out;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
