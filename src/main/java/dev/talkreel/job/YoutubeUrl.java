package dev.talkreel.job;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only URLs talkreel lets reach yttools: a YouTube video in one of its three public forms, with an 11-character
 * video id. What goes out is never the user's text but the canonical URL rebuilt from the id, so a query string,
 * a fragment or a look-alike host can never ride along.
 */
public final class YoutubeUrl {
    private static final String ID = "([A-Za-z0-9_-]{11})";
    private static final List<Pattern> FORMS = List.of(
            Pattern.compile("https?://(?:www\\.|m\\.)?youtube\\.com/watch\\?(?:[A-Za-z0-9_.=%-]+&)*v=" + ID
                    + "(?:&[A-Za-z0-9_.=%-]*)*"),
            Pattern.compile("https?://youtu\\.be/" + ID + "(?:\\?[A-Za-z0-9_.=%&-]*)?"),
            Pattern.compile("https?://(?:www\\.|m\\.)?youtube\\.com/shorts/" + ID + "(?:\\?[A-Za-z0-9_.=%&-]*)?"));

    private YoutubeUrl() {
    }

    /** The video id of an allowed URL, or empty. */
    public static Optional<String> videoId(String url) {
        if (url == null || url.length() > 300) {
            return Optional.empty();
        }
        for (Pattern p : FORMS) {
            Matcher m = p.matcher(url.trim());
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    public static String canonical(String videoId) {
        return "https://www.youtube.com/watch?v=" + videoId;
    }
}
