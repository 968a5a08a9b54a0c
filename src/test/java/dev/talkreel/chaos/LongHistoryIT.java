package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.bench.History;
import dev.talkreel.demo.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume with a long history: finished jobs leave jobs/ for the archive, so the watchers and the start-up scan only
 * ever see live jobs, while the status and list APIs still find every job. (Its cost, measured with 10,000 jobs side by
 * side with an empty volume, is in bench/run.sh history.)
 */
class LongHistoryIT {
    private static final int ARCHIVED = 600;
    private static final int LEGACY = 100;

    @TempDir
    Path root;

    @Test
    void finishedJobsLiveInTheArchiveAndTheApiStillFindsAndPagesThem() throws Exception {
        List<String> archived = History.write(root.resolve("shared"), ARCHIVED, true);
        // done jobs left among the live ones by an older talkreel: the first start moves them over
        List<String> legacy = History.write(root.resolve("shared"), LEGACY, false);
        long t = System.nanoTime();
        try (LocalStack stack = LocalStack.start(root, Map.of())) {
            System.out.printf("long history: %d archived + %d legacy done jobs, started in %d ms%n", ARCHIVED, LEGACY,
                    (System.nanoTime() - t) / 1_000_000);
            JobClient client = new JobClient(stack.api(), stack.shared());
            assertEquals(List.of(), liveFolders(stack.shared()), "no finished job is left among the live ones");

            String id = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "Newest of many."));
            assertEquals("done", client.waitForEnd(id, Duration.ofSeconds(90)).path("status").asText());
            assertEquals(List.of(), liveFolders(stack.shared()), "the done job went to the archive too");
            assertTrue(Files.isRegularFile(JobClient.jobFolder(stack.shared(), id).resolve("video.mp4")));

            assertEquals("done", client.job(archived.get(0)).path("status").asText(), "the oldest job is still served");
            assertEquals("done", client.job(legacy.get(0)).path("status").asText());
            t = System.nanoTime();
            List<String> all = new ArrayList<>();
            String before = null;
            for (int page = 0; page < 3; page++) {
                JsonNode list = JobClient.JSON.readTree(client.get("/api/jobs?limit=50"
                        + (before == null ? "" : "&before=" + before)).body());
                List<String> ids = list.path("jobs").findValuesAsText("job_id");
                assertEquals(50, ids.size(), list.toString());
                all.addAll(ids);
                before = ids.get(ids.size() - 1);
            }
            System.out.printf("long history: 3 pages of 50 in %d ms%n", (System.nanoTime() - t) / 1_000_000);
            assertEquals(id, all.get(0), "newest first");
            List<String> expected = new ArrayList<>(archived);
            expected.addAll(legacy);
            expected.sort(Comparator.reverseOrder());
            assertEquals(expected.subList(0, 149), all.subList(1, 150), "pages follow each other without gaps");
        }
    }

    private static List<String> liveFolders(Path shared) throws Exception {
        try (Stream<Path> dirs = Files.list(shared.resolve("jobs"))) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).toList();
        }
    }
}
