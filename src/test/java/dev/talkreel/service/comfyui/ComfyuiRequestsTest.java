package dev.talkreel.service.comfyui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talkreel.files.SharedVolume;
import dev.talkreel.finish.OutputProfile;
import dev.talkreel.finish.OutputProfiles;
import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /prompt's body: the parsed workflow with the job's values in the bound inputs and its own output name. */
class ComfyuiRequestsTest {
    @TempDir
    Path root;
    private JobStore jobs;

    @Test
    void theFluxPromptCarriesTheJobsValuesInEveryBoundInputAndItsOwnFileName() throws IOException {
        Map<String, String> settings = ComfyWorkflowTest.bindings(Path.of("config/comfyui/flux.properties"));
        ComfyuiRequests requests = requests(ComfyWorkflow.load(ComfyWorkflowTest.FLUX, settings::get));
        String id = create("a calm speaker, studio light", 42L);
        ObjectNode graph = (ObjectNode) requests.prompt(id).get("prompt");
        assertEquals("a calm speaker, studio light", graph.at("/6/inputs/clip_l").asText());
        assertEquals("a calm speaker, studio light", graph.at("/6/inputs/t5xxl").asText());
        assertEquals(42, graph.at("/25/inputs/noise_seed").asLong());
        for (String node : List.of("27", "30")) {
            assertEquals(800, graph.at("/" + node + "/inputs/width").asInt());
            assertEquals(448, graph.at("/" + node + "/inputs/height").asInt());
        }
        assertEquals("talkreel/" + id + "/portrait", graph.at("/9/inputs/filename_prefix").asText());
    }

    @Test
    void twoJobsWithTheSameValuesStillSaveTwoFiles() throws IOException {
        ComfyuiRequests requests = requests(ComfyWorkflow.load(ComfyWorkflowTest.WAN,
                ComfyWorkflowTest.wanBindings()::get));
        String first = create(null, 7L);
        String second = create(null, 7L);
        ObjectNode a = (ObjectNode) requests.prompt(first).get("prompt");
        ObjectNode b = (ObjectNode) requests.prompt(second).get("prompt");
        assertEquals("default prompt", a.at("/6/inputs/text").asText());
        assertEquals(7, a.at("/3/inputs/seed").asLong());
        assertEquals("talkreel/" + first + "/portrait", a.at("/49/inputs/filename_prefix").asText());
        assertNotEquals(a.at("/49/inputs/filename_prefix"), b.at("/49/inputs/filename_prefix"));
        a.remove("49");
        b.remove("49");
        assertEquals(a, b, "apart from the output name, the graphs are the same: ComfyUI's cache still serves them");
    }

    private ComfyuiRequests requests(ComfyWorkflow workflow) throws IOException {
        jobs = new JobStore(new SharedVolume(root), Clock.systemUTC(), () -> List.of("portrait"));
        // the job's profile (none asked: the default, here 800x448) gives the portrait size
        OutputProfiles profiles = new OutputProfiles(Map.of("landscape", new OutputProfile("landscape", 0, 0, 800, 448),
                "shorts", new OutputProfile("shorts", 1080, 1920, 576, 1024)), "landscape", jobs);
        return new ComfyuiRequests(jobs, new ComfyuiRequests.Settings(workflow, profiles, "default prompt",
                () -> "talkreel-test"));
    }

    @Test
    void theShortsProfileAsksForAnUprightPortrait() throws IOException {
        ComfyuiRequests requests = requests(ComfyWorkflow.load(ComfyWorkflowTest.WAN,
                ComfyWorkflowTest.wanBindings()::get));
        String id = create(null, 7L, "shorts");
        ObjectNode graph = (ObjectNode) requests.prompt(id).get("prompt");
        assertEquals(576, graph.at("/40/inputs/width").asInt());
        assertEquals(1024, graph.at("/40/inputs/height").asInt());
    }

    private String create(String prompt, Long seed) throws IOException {
        return create(prompt, seed, null);
    }

    private String create(String prompt, Long seed, String profile) throws IOException {
        JobRequest r = new JobRequest();
        r.youtubeUrl = "https://www.youtube.com/watch?v=ao8f3qyMoLM";
        r.videoId = "ao8f3qyMoLM";
        r.script = "Hello there.";
        r.segmentStart = 40;
        r.segmentEnd = 70;
        r.portraitPrompt = prompt;
        r.seed = seed;
        r.outputProfile = profile;
        return jobs.create(r, "http", null).job().jobId;
    }
}
