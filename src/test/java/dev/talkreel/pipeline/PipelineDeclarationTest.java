package dev.talkreel.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step declarations of routes/ as the Pipeline reads them from the Camel model: the real YAML files loaded into a
 * context that is never started (no consumer, no service), so it runs in a second.
 */
class PipelineDeclarationTest {
    @TempDir
    Path jobs;
    private final CamelContext camel = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    private Pipeline load(String... files) throws Exception {
        List<Resource> resources = new ArrayList<>();
        resources.add(ResourceHelper.resolveResource(camel, "file:routes/template-step.camel.yaml"));
        resources.add(ResourceHelper.resolveResource(camel, "file:routes/template-submit-then-poll.camel.yaml"));
        resources.add(ResourceHelper.resolveResource(camel, "file:routes/template-service-call.camel.yaml"));
        for (String file : files) {
            resources.add(file.startsWith("- ") ? ResourceHelper.fromString("extra.camel.yaml", file)
                    : ResourceHelper.resolveResource(camel, "file:" + file));
        }
        PluginHelper.getRoutesLoader(camel).loadRoutes(resources);
        return new Pipeline(camel, jobs);
    }

    private static final String[] STOCK = {"routes/step-audio.camel.yaml", "routes/step-voice.camel.yaml",
        "routes/step-portrait.camel.yaml", "routes/step-video.camel.yaml", "routes/step-finish.camel.yaml",
        "routes/step-poster.camel.yaml", "routes/step-captions.camel.yaml"};

    @Test
    void theStockRoutesDeclareSixStepsEachAfterTheStepsItNeeds() throws Exception {
        Pipeline pipeline = load(STOCK);
        assertEquals(List.of("audio", "voice", "portrait", "video", "captions", "finish", "poster"), pipeline.ids());
        StepDefinition video = pipeline.step("video");
        assertEquals(List.of("voice", "portrait"), video.after());
        assertEquals("infinitetalk-api", video.serviceName());
        assertEquals("infinitetalk", video.service());
        assertEquals("video.mp4", video.artifact());
        assertTrue(video.gpu() && !video.publish());
        assertFalse(pipeline.step("audio").gpu());
        // the finished video is the published one; finishing needs no GPU
        StepDefinition finish = pipeline.step("finish");
        assertEquals(List.of("video", "captions"), finish.after());
        assertEquals("final.mp4", finish.artifact());
        assertFalse(finish.gpu());
        assertEquals(finish, pipeline.published());
        assertEquals(List.of("finish"), pipeline.step("poster").after());
    }

    @Test
    void anExampleStepJoinsThePipelineAfterTheStepItNeedsWithDefaultsForWhatItDoesNotSay() throws Exception {
        List<String> files = new ArrayList<>(List.of("examples/routes/thumbnail.camel.yaml"));
        files.addAll(List.of(STOCK));
        Pipeline pipeline = load(files.toArray(String[]::new));
        assertEquals(List.of("audio", "voice", "portrait", "video", "thumbnail", "captions", "finish", "poster"),
                pipeline.ids());
        StepDefinition thumbnail = pipeline.step("thumbnail");
        assertEquals("ffmpeg", thumbnail.serviceName());
        assertFalse(thumbnail.gpu() || thumbnail.publish());
        Map<String, Object> stock = Map.of("audio", 1, "voice", 1, "portrait", 1, "video", 1, "captions", 1, "finish", 1,
                "poster", 1);
        Map<String, Object> all = new HashMap<>(stock);
        all.put("thumbnail", 1);
        assertTrue(pipeline.isComplete(all));
        assertFalse(pipeline.isComplete(stock), "the job is done only when the added step is");
    }

    @Test
    void aStepStartsOnceAllTheMarkersItWaitsForAreOnDisk() throws Exception {
        Pipeline pipeline = load(STOCK);
        Path job = Files.createDirectories(jobs.resolve("20260101-000000-abcdef"));
        Files.writeString(job.resolve("voice.done.json"), "{}");
        assertFalse(pipeline.isReady("video", "20260101-000000-abcdef/voice.done.json"), "portrait not done yet");
        Files.writeString(job.resolve("portrait.done.json"), "{}");
        assertTrue(pipeline.isReady("video", "20260101-000000-abcdef/voice.done.json"));
        assertTrue(pipeline.isReady("video", "20260101-000000-abcdef/portrait.done.json"));
        assertFalse(pipeline.isReady("video", "20260101-000000-abcdef/audio.done.json"), "not a marker it waits for");
        assertFalse(pipeline.isReady("voice", "20260101-000000-abcdef/portrait.done.json"));
        assertFalse(pipeline.isReady("nothing", "20260101-000000-abcdef/voice.done.json"));
    }

    @Test
    void aStepAfterAStepNoFileDeclaresIsRefusedSayingWhich() throws Exception {
        Pipeline pipeline = load(STOCK[0], """
                - templatedRoute:
                    routeTemplateRef: step
                    routeId: watch-thumbnail
                    parameters:
                      - name: step
                        value: thumbnail
                      - name: after
                        value: vidoe
                      - name: artifact
                        value: thumb.jpg
                """);
        IllegalStateException refused = assertThrows(IllegalStateException.class, pipeline::ids);
        assertTrue(refused.getMessage().contains("step thumbnail comes after step vidoe"), refused.getMessage());
    }
}
