package dev.talkreel.service.yttools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.pipeline.StepFailedException;
import dev.talkreel.service.PollResult;
import dev.talkreel.service.ServiceReplyException;
import org.junit.jupiter.api.Test;

/** yttools' replies as its contract gives them (docs/SERVICES.md §4), and the ways they go wrong. */
class YttoolsRepliesTest {
    private final YttoolsReplies replies = new YttoolsReplies();

    @Test
    void aDownloadAnswersWithItsTaskId() {
        assertEquals("9f1c2d7e", replies.submitted("{\"task_id\": \"9f1c2d7e\"}").taskId());
    }

    @Test
    void aDownloadWithoutTaskIdIsABadReplyWorthAnotherTry() {
        ServiceReplyException e = assertThrows(ServiceReplyException.class, () -> replies.submitted("{\"status\": \"ok\"}"));
        assertTrue(e.getMessage().contains("no task_id"), e.getMessage());
        assertThrows(ServiceReplyException.class, () -> replies.submitted("<html>502 Bad Gateway</html>"));
    }

    @Test
    void statusPollsSayRunningDoneOrFailed() {
        PollResult running = replies.status(200, "{\"status\": \"processing\", \"progress\": 40, \"error\": null}", "t1");
        assertEquals(PollResult.RUNNING, running.state());
        assertEquals(40, running.facts().get("progress"));
        assertEquals(PollResult.DONE, replies.status(200, "{\"status\": \"completed\", \"progress\": 100}", "t1").state());
        PollResult failed = replies.status(200, "{\"status\": \"failed\", \"progress\": 0, \"error\": \"ERROR: [youtube] "
                + "ao8f3qyMoLM: Video unavailable\"}", "t1");
        assertEquals(PollResult.FAILED, failed.state());
        assertTrue(failed.detail().contains("Video unavailable"), failed.detail());
    }

    @Test
    void aTaskYttoolsForgotIsUnknownAndSubmittedAgain() {
        PollResult lost = replies.status(404, "{\"detail\": \"Task not found\"}", "t1");
        assertEquals(PollResult.UNKNOWN, lost.state());
        assertTrue(lost.detail().contains("t1"));
    }

    @Test
    void anErrorStatusIsRetriedOnlyWhenItIsTheServicesTrouble() {
        assertThrows(ServiceReplyException.class, () -> replies.status(503, "{\"detail\": \"busy\"}", "t1"));
        StepFailedException refused = assertThrows(StepFailedException.class,
                () -> replies.status(400, "{\"detail\": \"bad id\"}", "t1"));
        assertEquals(StepFailedException.class, refused.getClass());
        assertTrue(refused.getMessage().contains("bad id"), refused.getMessage());
        assertThrows(ServiceReplyException.class, () -> replies.status(200, "{\"status\": \"exploded\"}", "t1"));
    }
}
