package dev.talkreel.emulator.comfyui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.emulator.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * SaveImage/PreviewImage's file handling (nodes.py, folder_paths.get_save_image_path): the prefix's folder part is
 * the subfolder, files are {@code <name>_<counter:05>_.png} with the counter continuing after the highest existing
 * one, and a prefix that leaves the folder is refused. Files are written under a temporary name and renamed, so a
 * client polling /view never reads half a PNG.
 */
final class ImageSaver {
    private final Path root;
    private final String type;

    /** {@code type} is what the history reports: "output" for SaveImage, "temp" for PreviewImage. */
    ImageSaver(Path root, String type) {
        this.root = root.toAbsolutePath().normalize();
        this.type = type;
    }

    Path root() {
        return root;
    }

    /** Saves {@code images} and returns their {@code {filename, subfolder, type}} entries. */
    List<ObjectNode> save(String filenamePrefix, List<BufferedImage> images) throws IOException {
        int width = images.get(0).getWidth();
        int height = images.get(0).getHeight();
        String prefix = filenamePrefix.replace("%width%", String.valueOf(width))
                .replace("%height%", String.valueOf(height));
        Path relative = Path.of(prefix).normalize();
        String subfolder = relative.getParent() == null ? "" : relative.getParent().toString();
        String name = relative.getFileName() == null ? "" : relative.getFileName().toString();
        Path folder = root.resolve(subfolder).normalize();
        if (!folder.startsWith(root)) {
            throw new NodeFailure("Exception", "**** ERROR: Saving image outside the output folder is not allowed."
                    + "\n full_output_folder: " + folder + "\n         output_dir: " + root);
        }
        Files.createDirectories(folder);
        int counter = nextCounter(folder, name);
        List<ObjectNode> saved = new ArrayList<>();
        for (int batch = 0; batch < images.size(); batch++) {
            String file = String.format("%s_%05d_.png", name.replace("%batch_num%", String.valueOf(batch)), counter++);
            Path tmp = folder.resolve("." + file + ".tmp");
            ImageIO.write(images.get(batch), "png", tmp.toFile());
            Files.move(tmp, folder.resolve(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            saved.add(Json.object().put("filename", file).put("subfolder", subfolder).put("type", type));
        }
        return saved;
    }

    /** One more than the highest {@code <name>_<digits>_...} already in the folder, else 1. */
    private static int nextCounter(Path folder, String name) throws IOException {
        Pattern pattern = Pattern.compile(Pattern.quote(name) + "_(\\d{1,9})_.*");
        int max = 0;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = pattern.matcher(f.getFileName().toString());
                if (m.matches()) {
                    max = Math.max(max, Integer.parseInt(m.group(1)));
                }
            }
        }
        return max + 1;
    }
}
