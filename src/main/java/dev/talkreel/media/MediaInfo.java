package dev.talkreel.media;

import java.util.List;

/** What ffprobe says about a media file: its duration and its streams. */
public record MediaInfo(String formatName, double durationSeconds, List<Stream> streams) {

    /**
     * One stream; fields that do not apply to its type are 0 or empty. {@code profile} is the codec's (H.264 "High",
     * AAC "LC"), {@code pixFmt} the picture's sample format, {@code startSeconds} its first timestamp.
     */
    public record Stream(String codecType, String codecName, int width, int height, int sampleRate, int channels,
                         double frameRate, long frames, double durationSeconds, String profile, String pixFmt,
                         double startSeconds) {
    }

    public Stream audio() {
        return streams.stream().filter(s -> "audio".equals(s.codecType())).findFirst().orElse(null);
    }

    public Stream video() {
        return streams.stream().filter(s -> "video".equals(s.codecType())).findFirst().orElse(null);
    }
}
