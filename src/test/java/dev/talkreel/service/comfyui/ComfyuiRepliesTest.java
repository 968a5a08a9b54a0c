package dev.talkreel.service.comfyui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.files.PathOutsideVolumeException;
import dev.talkreel.pipeline.StepFailedException;
import dev.talkreel.service.PollResult;
import dev.talkreel.service.ServiceReplyException;
import org.junit.jupiter.api.Test;

/** ComfyUI's replies in the shapes a real server sends (docs/SERVICES.md §1.1-1.4, 1.7). */
class ComfyuiRepliesTest {
    private static final String ID = "5c7bd1a4-2c1e-4ad7-9f4e-0d3d1c1f8a11";
    private final ComfyuiReplies replies = new ComfyuiReplies("49", 60_000);

    private static String done(String filename, String subfolder, String type) {
        return """
            {"%s": {"prompt": [3, "%s", {}, {"client_id": "talkreel-j1", "create_time": 1730000000000}, ["49"]],
              "outputs": {"49": {"images": [{"filename": "%s", "subfolder": "%s", "type": "%s"}]}},
              "status": {"status_str": "success", "completed": true,
                         "messages": [["execution_start", {"prompt_id": "%s", "timestamp": 1730000000000}],
                                      ["execution_success", {"prompt_id": "%s", "timestamp": 1730000004000}]]},
              "meta": {"49": {"node_id": "49", "display_node": "49", "parent_node": null, "real_node_id": "49"}}}}
            """.formatted(ID, ID, filename, subfolder, type, ID, ID);
    }

    @Test
    void aPromptAnswersWithItsIdAndQueueNumber() {
        var submitted = replies.submitted("{\"prompt_id\": \"" + ID + "\", \"number\": 7, \"node_errors\": {}}");
        assertEquals(ID, submitted.taskId());
        assertEquals(7, submitted.facts().get("queue_number"));
    }

    @Test
    void nodeErrorsOnA200FailTheStepAtOnce() {
        String reply = "{\"prompt_id\": \"" + ID + "\", \"number\": 8, \"node_errors\": {\"37\": {\"errors\": [{\"type\": "
                + "\"value_not_in_list\", \"details\": \"unet_name: 'wan.safetensors' not in []\"}], \"class_type\": \"UNETLoader\"}}}";
        StepFailedException e = assertThrows(StepFailedException.class, () -> replies.submitted(reply));
        assertEquals(StepFailedException.class, e.getClass(), "not retried");
        assertTrue(e.getMessage().contains("UNETLoader"), e.getMessage());
    }

    @Test
    void anEmptyHistoryIsRunningAndAsksTheQueueOnTheFirstAndEveryTenthPoll() {
        PollResult first = replies.history("{}", ID, 1, false, null);
        assertEquals(PollResult.RUNNING, first.state());
        assertTrue(first.askQueue());
        assertFalse(replies.history("{}", ID, 2, false, null).askQueue());
        assertTrue(replies.history("{}", ID, 20, false, null).askQueue());
    }

    @Test
    void anEmptyHistoryAfterAnEmptyQueueMeansComfyLostThePrompt() {
        String queue = "{\"queue_running\": [[2, \"other\", {}, {}, [\"49\"]]], \"queue_pending\": []}";
        assertFalse(replies.queued(queue, ID));
        assertTrue(replies.queued("{\"queue_running\": [], \"queue_pending\": [[3, \"" + ID + "\", {}, {}, [\"49\"]]]}", ID));
        assertEquals(PollResult.UNKNOWN, replies.history("{}", ID, 5, true, null).state());
    }

    @Test
    void aSavedImageIsDoneWithTheViewQuery() {
        PollResult done = replies.history(done("portrait_00001_.png", "wan-portraits", "output"), ID, 3, false, null);
        assertEquals(PollResult.DONE, done.state());
        assertEquals("filename=portrait_00001_.png&subfolder=wan-portraits&type=output", done.fetch());
        assertEquals("wan-portraits/portrait_00001_.png", done.facts().get("comfyui_file"));
    }

    @Test
    void anOutputOutsideComfysFolderIsRefused() {
        assertThrows(PathOutsideVolumeException.class,
                () -> replies.history(done("../../etc/passwd", "", "output"), ID, 3, false, null));
        assertThrows(PathOutsideVolumeException.class,
                () -> replies.history(done("p.png", "/abs", "output"), ID, 3, false, null));
        assertThrows(PathOutsideVolumeException.class,
                () -> replies.history(done("p.png", "", "input"), ID, 3, false, null));
    }

    @Test
    void anExecutionErrorFailsWithComfysWordsAndOutOfMemoryIsTriedOnceMore() {
        String error = """
            {"%s": {"outputs": {}, "status": {"status_str": "error", "completed": false, "messages": [
              ["execution_start", {"prompt_id": "%s"}],
              ["execution_error", {"prompt_id": "%s", "node_id": "3", "node_type": "KSampler", "executed": [],
                "exception_message": "%s", "exception_type": "%s", "traceback": []}]]}}}
            """;
        PollResult failed = replies.history(error.formatted(ID, ID, ID, "Expected all tensors on the same device",
                "RuntimeError"), ID, 4, false, null);
        assertEquals(PollResult.FAILED, failed.state());
        assertTrue(failed.detail().contains("RuntimeError: Expected all tensors on the same device (node 3 KSampler)"),
                failed.detail());
        String oom = error.formatted(ID, ID, ID, "Allocation on device 0 would exceed allowed memory. (out of memory)",
                "torch.OutOfMemoryError");
        PollResult again = replies.history(oom, ID, 4, false, null);
        assertEquals(PollResult.UNKNOWN, again.state());
        assertEquals(60_000, again.resubmitDelayMs());
        assertEquals(PollResult.FAILED, replies.history(oom, ID, 4, false, true).state());
    }

    @Test
    void anInterruptedPromptFails() {
        String reply = "{\"" + ID + "\": {\"outputs\": {}, \"status\": {\"status_str\": \"error\", \"completed\": false,"
                + " \"messages\": [[\"execution_interrupted\", {\"prompt_id\": \"" + ID + "\", \"node_id\": \"3\"}]]}}}";
        assertTrue(replies.history(reply, ID, 2, false, null).detail().contains("interrupted"));
    }

    @Test
    void anOldServerWithoutStatusIsRunningUntilItsImageAppears() {
        String old = "{\"" + ID + "\": {\"prompt\": [], \"outputs\": {}}}";
        PollResult running = replies.history(old, ID, 2, false, null);
        assertEquals(PollResult.RUNNING, running.state());
        assertNull(running.fetch());
    }

    @Test
    void aCompletedPromptWithoutImageOnTheOutputNodeNamesTheSetting() {
        String reply = "{\"" + ID + "\": {\"outputs\": {\"9\": {\"images\": []}}, \"status\": {\"status_str\": \"success\","
                + " \"completed\": true, \"messages\": []}}}";
        assertTrue(replies.history(reply, ID, 2, false, null).detail().contains("talkreel.comfyui.node.output"));
    }

    @Test
    void theServersPlainText500IsABadReplyWorthAnotherTry() {
        assertThrows(ServiceReplyException.class,
                () -> replies.history("500 Internal Server Error\n\nServer got itself in trouble", ID, 1, false, null));
    }
}
