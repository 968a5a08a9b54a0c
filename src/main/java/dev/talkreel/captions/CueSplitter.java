package dev.talkreel.captions;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A script cut into caption cues a viewer reads at a glance: at most {@code maxLines} lines of at most
 * {@code maxChars} characters each. A sentence is one cue when it fits; a longer one is cut at its phrases (after a
 * comma, semicolon, colon or dash), neighbouring phrases sharing a cue while they fit; a phrase that does not fit
 * alone is cut between words. No line is longer than the limit unless one word is.
 */
public final class CueSplitter {
    /** After a sentence's end mark (and a closing quote or bracket), before the next word. */
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?…][\"')\\]]?)\\s+");
    /** After a comma, semicolon or colon ending a word, or after a dash standing as a word. */
    private static final Pattern PHRASE_END = Pattern.compile("(?<=[,;:][\"')\\]]?)\\s+|(?<=\\s[-–—]{1,2})\\s+");

    private final int maxChars;
    private final int maxLines;

    public CueSplitter(int maxChars, int maxLines) {
        if (maxChars < 8 || maxLines < 1) {
            throw new IllegalArgumentException("captions need lines of at least 8 characters and at least one line, "
                    + "not " + maxChars + " x " + maxLines);
        }
        this.maxChars = maxChars;
        this.maxLines = maxLines;
    }

    /** The script's cues, in order, each as its lines. */
    public List<List<String>> split(String script) {
        List<List<String>> cues = new ArrayList<>();
        String text = script == null ? "" : script.strip().replaceAll("\\s+", " ");
        if (text.isEmpty()) {
            return cues;
        }
        for (String sentence : SENTENCE_END.split(text)) {
            List<String> lines = lines(sentence);
            if (lines != null) {
                cues.add(lines);
                continue;
            }
            String pending = null;
            for (String phrase : PHRASE_END.split(sentence)) {
                String joined = pending == null ? phrase : pending + " " + phrase;
                if (lines(joined) != null) {
                    pending = joined;
                    continue;
                }
                if (pending != null) {
                    cues.add(lines(pending));
                }
                if (lines(phrase) != null) {
                    pending = phrase;
                } else {
                    pending = byWords(phrase, cues);
                }
            }
            cues.add(lines(pending));
        }
        return cues;
    }

    /** Adds the full cues of a phrase too long for one, word by word; returns its last, partly filled cue. */
    private String byWords(String phrase, List<List<String>> cues) {
        String current = null;
        for (String word : phrase.split(" ")) {
            String joined = current == null ? word : current + " " + word;
            if (current == null || lines(joined) != null) {
                current = joined;
            } else {
                cues.add(lines(current));
                current = word;
            }
        }
        return current;
    }

    /**
     * The text as at most {@code maxLines} lines within the limit, or null when it does not fit. Two lines are
     * balanced (the break that makes the longer line shortest), so a cue does not end in one orphaned word.
     */
    List<String> lines(String text) {
        String[] words = text.split(" ");
        if (words.length == 1) {
            return List.of(text);
        }
        if (text.length() <= maxChars) {
            return List.of(text);
        }
        if (maxLines == 2) {
            List<String> best = null;
            int bestLongest = Integer.MAX_VALUE;
            for (int cut = 1; cut < words.length; cut++) {
                String first = String.join(" ", List.of(words).subList(0, cut));
                String second = String.join(" ", List.of(words).subList(cut, words.length));
                int longest = Math.max(first.length(), second.length());
                if (fits(first, cut) && fits(second, words.length - cut) && longest < bestLongest) {
                    best = List.of(first, second);
                    bestLongest = longest;
                }
            }
            return best;
        }
        return greedy(words);
    }

    /** A line fits when it is within the limit, or is one word. */
    private boolean fits(String line, int words) {
        return line.length() <= maxChars || words == 1;
    }

    /** Lines filled word by word, for limits other than two lines; null when they need more than maxLines. */
    private List<String> greedy(String[] words) {
        List<String> out = new ArrayList<>();
        String line = null;
        for (String word : words) {
            String joined = line == null ? word : line + " " + word;
            if (line == null || joined.length() <= maxChars) {
                line = joined;
            } else {
                out.add(line);
                line = word;
            }
        }
        out.add(line);
        return out.size() <= maxLines ? out : null;
    }
}
