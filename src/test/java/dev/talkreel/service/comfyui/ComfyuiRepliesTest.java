package dev.talkreel.service.comfyui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.talkreel.files.PathOutsideVolumeException;
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
        assertNull(submitted.refusal());
        assertNull(submitted.facts().get("comfyui_warning"));
        // older servers sent node_errors as a list
        assertNull(replies.submitted("{\"prompt_id\": \"" + ID + "\", \"number\": 1, \"node_errors\": []}").refusal());
    }

    /** Recorded from a real ComfyUI (v0.3.64) with the Wan workflow and no model files: details is empty. */
    private static final String MISSING_MODEL = """
        {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation",
                   "details": "", "extra_info": {}},
         "node_errors": {"37": {"errors": [{"type": "value_not_in_list", "message": "Value not in list",
              "details": "unet_name: 'wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors' not in []",
              "extra_info": {"input_name": "unet_name", "input_config": [[], {}],
                             "received_value": "wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors"}}],
              "dependent_outputs": ["49"], "class_type": "UNETLoader"},
           "38": {"errors": [{"type": "value_not_in_list", "message": "Value not in list",
              "details": "clip_name: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors' not in []",
              "extra_info": {"input_name": "clip_name", "input_config": [[], {}],
                             "received_value": "umt5_xxl_fp8_e4m3fn_scaled.safetensors"}}],
              "dependent_outputs": ["49"], "class_type": "CLIPLoader"},
           "3": {"errors": [], "dependent_outputs": ["49"], "class_type": "KSampler"}}}
        """;

    @Test
    void aMissingModelIsNamedFromNodeErrorsNotFromTheEmptyDetails() {
        String words = replies.refusal(MISSING_MODEL);
        assertEquals("ComfyUI refused the workflow: node 37 (UNETLoader) input unet_name said: Value not in list: "
                + "unet_name: 'wan2.2_t2v_low_noise_14B_fp8_scaled.safetensors' not in []; node 38 (CLIPLoader) input "
                + "clip_name said: Value not in list: clip_name: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors' not in []",
                words);
        assertFalse(words.contains("KSampler"), "a node failing only because of its inputs has no words of its own");
    }

    @Test
    void anInvalidInputNamesTheNodeTheInputAndComfyUisWords() {
        String reply = """
            {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation",
                       "details": "", "extra_info": {}},
             "node_errors": {"40": {"errors": [{"type": "value_smaller_than_min",
                  "message": "Value 8 smaller than min of 16", "details": "width",
                  "extra_info": {"input_name": "width", "input_config": ["INT", {"min": 16}], "received_value": 8}}],
                  "dependent_outputs": ["49"], "class_type": "EmptyHunyuanLatentVideo"}}}
            """;
        assertEquals("ComfyUI refused the workflow: node 40 (EmptyHunyuanLatentVideo) input width said: Value 8 "
                + "smaller than min of 16: width", replies.refusal(reply));
    }

    @Test
    void anUnknownNodeClassIsNamedFromExtraInfoInNewAndOldShapes() {
        String newest = """
            {"error": {"type": "missing_node_type",
                       "message": "Node 'WanMagicDecode' not found. The custom node may not be installed.",
                       "details": "Node ID '#8'",
                       "extra_info": {"node_id": "8", "class_type": "WanMagicDecode", "node_title": "WanMagicDecode"}},
             "node_errors": {}}
            """;
        assertEquals("ComfyUI refused the workflow: node 8 (WanMagicDecode) Node 'WanMagicDecode' not found. The "
                + "custom node may not be installed.", replies.refusal(newest));
        String older = "{\"error\": {\"type\": \"invalid_prompt\", \"message\": \"Cannot execute because node "
                + "WanMagicDecode does not exist.\", \"details\": \"Node ID '#8'\", \"extra_info\": {}}, \"node_errors\": {}}";
        assertEquals("ComfyUI refused the workflow: Cannot execute because node WanMagicDecode does not exist. "
                + "(Node ID '#8')", replies.refusal(older));
        assertEquals("ComfyUI refused the workflow: no prompt", replies.refusal("{\"error\": \"no prompt\", \"node_errors\": []}"));
        assertEquals("ComfyUI refused the workflow: Bad Request", replies.refusal("Bad Request"));
    }

    /** A 200 from /prompt, as a real server sends it when one output node is invalid among valid ones. */
    private static String acceptedWithNodeError(int number, String node, String type, String message, String details) {
        return """
            {"prompt_id": "%s", "number": %d, "node_errors": {"%s": {"errors": [{"type": "%s", "message": "%s",
              "details": "%s", "extra_info": {"input_name": "images"}}], "dependent_outputs": ["%s"],
              "class_type": "SaveImage"}}}
            """.formatted(ID, number, node, type, message, details, node);
    }

    @Test
    void nodeErrorsOnTheOutputNodeOfA200AreARefusalWithThePromptIdKept() {
        var submitted = replies.submitted(acceptedWithNodeError(8, "49", "required_input_missing",
                "Required input is missing", "images"));
        assertEquals(ID, submitted.taskId(), "the prompt is ComfyUI's to render: its id is kept, to drop it");
        assertEquals("ComfyUI refused the workflow's output node 49: node 49 (SaveImage) input images said: Required "
                + "input is missing: images", submitted.refusal());
        assertNull(submitted.facts().get("comfyui_warning"));
    }

    @Test
    void nodeErrorsElsewhereOnA200AreAWarningAndThePortraitStillComes() {
        var submitted = replies.submitted(acceptedWithNodeError(9, "60", "return_type_mismatch",
                "Return type mismatch between linked nodes", "images, received_type(CLIP) mismatch input_type(IMAGE)"));
        assertEquals(ID, submitted.taskId());
        assertNull(submitted.refusal());
        assertEquals(9, submitted.facts().get("queue_number"));
        assertEquals("ComfyUI refused nodes the portrait does not need, and renders the rest: node 60 (SaveImage) "
                + "input images said: Return type mismatch between linked nodes: images, received_type(CLIP) mismatch "
                + "input_type(IMAGE)", submitted.facts().get("comfyui_warning"));
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
        assertTrue(replies.history(reply, ID, 2, false, null).detail().contains("talkreel.comfyui.bind.output"));
    }

    @Test
    void theServersPlainText500IsABadReplyWorthAnotherTry() {
        assertThrows(ServiceReplyException.class,
                () -> replies.history("500 Internal Server Error\n\nServer got itself in trouble", ID, 1, false, null));
    }
}
