package dev.talkreel.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The top-level boxes ("atoms") of an MP4 file, in file order. A video streams from its first byte (+faststart) only
 * when {@code moov} (the index) comes before {@code mdat} (the media); ffprobe does not say, so the boxes are read.
 */
public final class Mp4Atoms {
    private Mp4Atoms() {
    }

    /** The types of the top-level boxes of {@code file}, in order (e.g. ftyp, moov, free, mdat). */
    public static List<String> topLevel(Path file) throws IOException {
        List<String> types = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long at = 0;
            ByteBuffer header = ByteBuffer.allocate(16);
            while (at + 8 <= size) {
                header.clear().limit(16);
                ch.read(header, at);
                header.flip();
                if (header.remaining() < 8) {
                    break;
                }
                long boxSize = Integer.toUnsignedLong(header.getInt(0));
                byte[] type = new byte[4];
                header.get(4, type);
                types.add(new String(type, StandardCharsets.ISO_8859_1));
                if (boxSize == 1 && header.remaining() >= 16) {
                    boxSize = header.getLong(8);
                } else if (boxSize == 0) {
                    boxSize = size - at;
                }
                if (boxSize < 8) {
                    throw new IOException(file.getFileName() + " has a box of " + boxSize + " bytes at " + at
                            + ": not an MP4 file");
                }
                at += boxSize;
            }
        }
        return types;
    }

    /** Whether {@code moov} comes before {@code mdat} (false when either is missing). */
    public static boolean indexFirst(Path file) throws IOException {
        List<String> types = topLevel(file);
        int moov = types.indexOf("moov");
        int mdat = types.indexOf("mdat");
        return moov >= 0 && mdat >= 0 && moov < mdat;
    }
}
