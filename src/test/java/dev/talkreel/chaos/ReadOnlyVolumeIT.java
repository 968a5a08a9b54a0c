package dev.talkreel.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.demo.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared volume turns read-only for a minute while the video renders (a full disk, an NFS server in trouble, a
 * remount). Writing the video fails, and so does writing the failure: the job must not stay "running" for ever. Once
 * the volume takes writes again the failure is recorded, the GPU is free for other jobs, and a retry finishes the job.
 * The volume is a real tmpfs mount turned read-only with {@code mount -o remount,ro}: this test needs root, as CI has.
 */
class ReadOnlyVolumeIT {
    private static final Duration READ_ONLY_FOR = Duration.ofSeconds(60);
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path root;

    @Test
    void aVolumeReadOnlyForAMinuteDuringTheVideoLeavesTheJobRetryableAndTheGpuFree() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        Path shared = root.resolve("shared");
        Files.createDirectories(shared);
        mount("-t", "tmpfs", "-o", "size=512m", "tmpfs", shared.toString());
        try (LocalStack stack = LocalStack.start(root, Map.of("talkreel.supervise.stale-after-ms", "2000"))) {
            JobClient client = new JobClient(stack.api(), stack.shared());
            stack.emulators().infinitetalk.behaviour().latency("generate", Duration.ofSeconds(4));
            String id = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "Read only, then not."));
            client.waitFor(id, j -> "running".equals(j.path("steps").path("video").path("state").asText()), DEADLINE);

            mount("-o", "remount,ro", shared.toString());
            long until = System.nanoTime() + READ_ONLY_FOR.toNanos();
            int answered = 0;
            while (System.nanoTime() < until) {
                // the API keeps answering from the volume it can still read
                answered += client.get("/api/jobs/" + id).statusCode() == 200 ? 1 : 0;
                Thread.sleep(1000); // the schedule: one API request a second while the volume is read-only
            }
            mount("-o", "remount,rw", shared.toString());

            JsonNode end = client.waitFor(id, j -> j.path("status").asText().matches("done|failed"), DEADLINE);
            System.out.println("read-only for " + READ_ONLY_FOR.toSeconds() + " s during the video: the job became "
                    + end.path("status").asText() + " (" + end.path("error").path("message").asText() + "); "
                    + answered + " status reads answered 200 meanwhile");
            if ("failed".equals(end.path("status").asText())) {
                assertEquals("video", end.path("current_step").asText(), end.toString());
                assertFalse(end.path("error").path("error_class").asText().isBlank(), end.toString());
                HttpResponse<String> retry = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        stack.api() + "/api/jobs/" + id + "/retry")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(202, retry.statusCode(), retry.body());
            }
            assertEquals("done", client.waitForEnd(id, DEADLINE).path("status").asText());
            // the GPU slot came back: another job goes through the three GPU steps
            String next = client.submit(JobClient.job("https://www.youtube.com/watch?v=ao8f3qyMoLM", "And the next one."));
            assertEquals("done", client.waitForEnd(next, DEADLINE).path("status").asText());
            assertEquals(1, stack.emulators().gpu.maxConcurrent());
        } finally {
            mount("-o", "remount,rw", shared.toString());
            unmount(shared);
        }
    }

    /** Runs mount; a remount may meet a file still open for writing (EBUSY), so it is tried again for a while. */
    private static void mount(String... args) throws IOException, InterruptedException {
        String[] out = {""};
        boolean mounted = JobClient.eventually(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
            Process p = new ProcessBuilder(concat("mount", args)).redirectErrorStream(true).start();
            out[0] = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0;
        });
        if (!mounted) {
            throw new AssertionError("mount " + String.join(" ", args) + " failed: " + out[0]);
        }
    }

    private static void unmount(Path dir) throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start().waitFor();
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
