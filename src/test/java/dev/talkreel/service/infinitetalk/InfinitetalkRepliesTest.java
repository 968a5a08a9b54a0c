package dev.talkreel.service.infinitetalk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.files.PathMap;
import dev.talkreel.files.PathOutsideVolumeException;
import dev.talkreel.pipeline.StepFailedException;
import dev.talkreel.service.ServiceReplyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** infinitetalk-api's /api/generate-video reply (docs/SERVICES.md §2.4), on real folders mapped as in production. */
class InfinitetalkRepliesTest {
    @TempDir
    Path root;
    Path output;
    Path job;
    InfinitetalkReplies replies;

    @BeforeEach
    void folders() throws Exception {
        Path shared = Files.createDirectories(root.resolve("shared"));
        output = Files.createDirectories(root.resolve("output"));
        job = Files.createDirectories(shared.resolve("jobs/j1"));
        replies = new InfinitetalkReplies(null, null, PathMap.parse("/data/shared=" + shared + ",/output=" + output));
    }

    private static String reply(String videoPath) {
        // the real wrapper's shape, with its frame/resolution bug (a 180-frame 896x448 video reported as 3 and 448x180)
        return "{\"video_path\": \"" + videoPath + "\", \"duration_seconds\": 7.2, \"resolution\": \"448x180\", "
                + "\"frame_count\": 3, \"metadata\": {\"seed\": 42, \"diffusion_steps\": 40, \"resolution_bucket\": "
                + "\"infinitetalk-480\", \"timestamp\": \"20261125_120000\"}}";
    }

    @Test
    void theNamedVideoComesIntoTheJobFolderAndTheServiceWordsAreFacts() throws Exception {
        Files.writeString(output.resolve("infinitetalk_20261125.mp4"), "mp4 bytes");
        Map<String, Object> facts = replies.video(reply("/output/infinitetalk_20261125.mp4"), job.resolve("video.mp4"));
        assertEquals("mp4 bytes", Files.readString(job.resolve("video.mp4")));
        assertEquals("/output/infinitetalk_20261125.mp4", facts.get("service_video_path"));
        assertEquals("448x180", facts.get("service_reported_resolution"));
        assertEquals(3, facts.get("service_reported_frames"));
    }

    @Test
    void aVideoThatIsNotThereNamesTheMappingSetting() {
        StepFailedException e = assertThrows(StepFailedException.class, () -> replies.video(reply("/output/gone.mp4"), job.resolve("video.mp4")));
        assertTrue(e.getMessage().contains("talkreel.infinitetalk.path-map"), e.getMessage());
    }

    @Test
    void aPathOutsideTheMappedFoldersIsRefused() throws Exception {
        assertThrows(PathOutsideVolumeException.class, () -> replies.video(reply("/etc/passwd"), job.resolve("video.mp4")));
        Files.createDirectories(output.resolve("a-folder.mp4"));
        assertThrows(PathOutsideVolumeException.class, () -> replies.video(reply("/output/a-folder.mp4"), job.resolve("video.mp4")));
    }

    @Test
    void aFastApiErrorBodyOnA200IsABadReplyWorthAnotherTry() {
        assertThrows(ServiceReplyException.class, () -> replies.video("Internal Server Error", job.resolve("video.mp4")));
    }
}
