package dev.talkreel.emulator.infinitetalk;

import java.util.Map;
import java.util.TreeMap;

/**
 * InfiniteTalk's resolution buckets (wan/utils ASPECT_RATIO_627 for infinitetalk-480, ASPECT_RATIO_960 for
 * infinitetalk-720): keyed by the h/w ratio, each giving {@code [height, width]}. The reference image is snapped to
 * the bucket whose key is nearest its own h/w, then resized to cover it and centre-cropped.
 */
final class Buckets {
    /** A video frame size. */
    record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    private static final Map<String, TreeMap<Double, int[]>> TABLES = Map.of(
            "infinitetalk-480", table(new Object[][] {
                {0.26, 320, 1216}, {0.38, 384, 1024}, {0.50, 448, 896}, {0.67, 512, 768}, {0.82, 576, 704},
                {1.00, 640, 640}, {1.22, 704, 576}, {1.50, 768, 512}, {1.86, 832, 448}, {2.00, 896, 448},
                {2.50, 960, 384}, {2.83, 1088, 384}, {3.60, 1152, 320}, {3.80, 1216, 320}, {4.00, 1280, 320}}),
            "infinitetalk-720", table(new Object[][] {
                {0.22, 448, 2048}, {0.29, 512, 1792}, {0.36, 576, 1600}, {0.45, 640, 1408}, {0.55, 704, 1280},
                {0.63, 768, 1216}, {0.76, 832, 1088}, {0.88, 896, 1024}, {1.00, 960, 960}, {1.14, 1024, 896},
                {1.31, 1088, 832}, {1.50, 1152, 768}, {1.58, 1216, 768}, {1.82, 1280, 704}, {1.91, 1344, 704},
                {2.20, 1408, 640}, {2.30, 1472, 640}, {2.67, 1536, 576}, {2.89, 1664, 576}, {3.62, 1856, 512},
                {3.75, 1920, 512}}));

    private Buckets() {
    }

    static boolean known(String resolution) {
        return TABLES.containsKey(resolution);
    }

    /** The video size for an image of {@code width x height} at {@code resolution} (a known one). */
    static Size pick(String resolution, int width, int height) {
        double ratio = (double) height / width;
        int[] best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Map.Entry<Double, int[]> e : TABLES.get(resolution).entrySet()) {
            double distance = Math.abs(e.getKey() - ratio);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = e.getValue();
            }
        }
        return new Size(best[1], best[0]);
    }

    private static TreeMap<Double, int[]> table(Object[][] rows) {
        TreeMap<Double, int[]> t = new TreeMap<>();
        for (Object[] r : rows) {
            t.put((Double) r[0], new int[] {(Integer) r[1], (Integer) r[2]});
        }
        return t;
    }
}
