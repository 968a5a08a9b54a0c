package dev.talkreel.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one service sees our folders. A service in a container sees the shared volume at its own mount point
 * ({@code /data/shared}) and may write where we cannot see unless mapped ({@code /output} for InfiniteTalk). The map is
 * used both ways: to tell a service where an input is, and to find what it wrote. A path outside every mapped folder
 * is refused, so a service cannot make us read or write anywhere else.
 *
 * <p>Written as {@code /data/shared=/srv/talkreel/shared,/output=/srv/talkreel/infinitetalk-output}.
 */
public final class PathMap {
    private final Map<String, Path> serviceToLocal = new LinkedHashMap<>();

    public PathMap(Map<String, Path> serviceToLocal) {
        serviceToLocal.forEach((service, local) -> this.serviceToLocal.put(normaliseService(service),
                local.toAbsolutePath().normalize()));
    }

    /** Parses {@code service=local[,service=local...]}. */
    public static PathMap parse(String spec) {
        Map<String, Path> map = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("path map entry '" + entry.trim()
                        + "' is not of the form /service/folder=/local/folder");
            }
            map.put(entry.substring(0, eq).trim(), Path.of(entry.substring(eq + 1).trim()));
        }
        if (map.isEmpty()) {
            throw new IllegalArgumentException("path map is empty");
        }
        return new PathMap(map);
    }

    /**
     * The local file behind a path the service gave us, with every symbolic link followed: refused when the name is
     * outside every mapped folder, or when a link (in the file or in any folder on its way) leads out of the real
     * mapped folder. An existing file comes back as its real path; a missing one as the mapped name (its nearest
     * existing folder checked the same way), so the caller can say it is missing.
     */
    public Path toLocal(String servicePath) {
        if (servicePath == null || servicePath.isBlank()) {
            throw new PathOutsideVolumeException("the service returned no path");
        }
        String normal = Path.of(servicePath).normalize().toString();
        for (Map.Entry<String, Path> e : serviceToLocal.entrySet()) {
            String root = e.getKey();
            if (normal.equals(root) || normal.startsWith(root.endsWith("/") ? root : root + "/")) {
                String rest = normal.substring(root.length());
                Path local = e.getValue().resolve(rest.startsWith("/") ? rest.substring(1) : rest).normalize();
                if (local.startsWith(e.getValue())) {
                    return resolvedInside(servicePath, local, e.getValue());
                }
            }
        }
        throw new PathOutsideVolumeException("path '" + servicePath + "' is outside every folder mapped for this service "
                + serviceToLocal.keySet());
    }

    /**
     * {@code local} (lexically under {@code folder}) with links followed: its real path must be inside the real path
     * of a mapped folder (a link from /output to a file of the shared volume is fine; one to /etc is not).
     */
    private Path resolvedInside(String servicePath, Path local, Path folder) {
        try {
            Path existing = local;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null || !existing.startsWith(folder)) {
                // the mapped folder itself does not exist (yet): nothing under it can lead anywhere
                return local;
            }
            Path real = existing.toRealPath();
            for (Path mapped : serviceToLocal.values()) {
                if (Files.exists(mapped) && real.startsWith(mapped.toRealPath())) {
                    return existing.equals(local) ? real : real.resolve(existing.relativize(local));
                }
            }
            throw new PathOutsideVolumeException("path '" + servicePath + "' leads through a symbolic link to " + real
                    + ", outside every mapped folder " + serviceToLocal.values());
        } catch (IOException e) {
            throw new PathOutsideVolumeException("path '" + servicePath + "' cannot be resolved: " + e);
        }
    }

    /** The path under which the service sees our local file; refused when the file is in no mapped folder. */
    public String toService(Path local) {
        Path normal = local.toAbsolutePath().normalize();
        for (Map.Entry<String, Path> e : serviceToLocal.entrySet()) {
            if (normal.startsWith(e.getValue())) {
                Path rest = e.getValue().relativize(normal);
                String root = e.getKey().endsWith("/") ? e.getKey() : e.getKey() + "/";
                return rest.toString().isEmpty() ? e.getKey() : root + rest.toString().replace('\\', '/');
            }
        }
        throw new PathOutsideVolumeException("local file " + local + " is in no folder mapped for this service "
                + serviceToLocal.values());
    }

    private static String normaliseService(String s) {
        String n = Path.of(s.trim()).normalize().toString();
        if (!n.startsWith("/")) {
            throw new IllegalArgumentException("service folder '" + s + "' must be absolute");
        }
        return n;
    }

    @Override
    public String toString() {
        return serviceToLocal.toString();
    }
}
