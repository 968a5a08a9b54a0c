package dev.talkreel.pipeline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.JobClient;
import dev.talkreel.RunningStack;
import dev.talkreel.emulator.Fault;
import dev.talkreel.media.MediaInfo;
import dev.talkreel.media.MediaProbe;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pipeline end to end, through the real camel-main app with every YAML route and the four emulators over
 * loopback HTTP: real files on a real shared volume, real media checked with ffprobe.
 */
class PipelineIT {
    private static final Duration JOB_DEADLINE = Duration.ofSeconds(60);
    private static final String URL = "https://www.youtube.com/watch?v=ao8f3qyMoLM";

    @RegisterExtension
    static final RunningStack talkreel = new RunningStack(Map.of());

    @Test
    void aJobFileInTheInboxEndsInTheOutboxAsAnEightSecondVideo() throws Exception {
        talkreel.client().drop("hello.json", JobClient.job(URL, "Hello from the inbox, in a voice cut from YouTube."));

        Path inboxDone = JobClient.waitForKept(talkreel.stack().shared().resolve("inbox/.done"), "hello.json",
                Duration.ofSeconds(20));
        String jobId = jobIdFor("inbox:hello.json");
        Path result = JobClient.waitForFile(talkreel.stack().shared().resolve("outbox/" + jobId + ".json"), JOB_DEADLINE);

        JsonNode message = JobClient.JSON.readTree(result.toFile());
        assertEquals("done", message.path("status").asText());
        assertEquals(URL, message.path("input").path("youtube_url").asText());
        for (String step : List.of("audio", "voice", "portrait", "video")) {
            JsonNode s = message.path("steps").path(step);
            // paths are relative to the shared volume; done jobs live in the archive
            // the result message comes first, then the job folder moves to the archive, where the message says it is
            assertTrue(Files.isRegularFile(JobClient.waitForFile(talkreel.shared().resolve(s.path("artifact").asText()),
                    JOB_DEADLINE)), step + " artifact on disk");
            assertTrue(s.path("artifact").asText().startsWith("archive/"), s.toString());
            assertTrue(s.path("elapsed_ms").asLong() >= 0, step + " timed");
        }
        assertFalse(message.path("steps").path("audio").path("task_id").asText().isBlank());
        assertFalse(message.path("steps").path("portrait").path("task_id").asText().isBlank());
        assertEquals(8.0, message.path("steps").path("voice").path("details").path("padded_seconds").asDouble(), 0.001);

        Path video = talkreel.stack().shared().resolve("outbox/" + jobId + ".mp4");
        assertEquals("outbox/" + jobId + ".mp4", message.path("video").path("path").asText());
        MediaInfo info = MediaProbe.probe(video, true);
        assertEquals("h264", info.video().codecName());
        assertEquals("aac", info.audio().codecName());
        assertEquals(8.0, info.durationSeconds(), 0.1);
        assertEquals(25.0, info.video().frameRate(), 0.01);
        assertEquals(200, info.video().frames());
        assertEquals(896, info.video().width());
        assertEquals(448, info.video().height());
        assertTrue(Files.isRegularFile(inboxDone), "the job file is kept");
    }

    @Test
    void anHttpJobIsAcceptedAtOnceAndItsStatusShowsEveryStep() throws Exception {
        talkreel.emulators().infinitetalk.behaviour().latency("generate", Duration.ofSeconds(3));
        HttpResponse<String> accepted = talkreel.client().post(JobClient.job(URL, "Status please."));
        assertEquals(202, accepted.statusCode(), accepted.body());
        JsonNode answer = JobClient.JSON.readTree(accepted.body());
        String id = answer.path("job_id").asText();
        assertEquals("/api/jobs/" + id, answer.path("status_url").asText());
        assertEquals("queued", answer.path("status").asText(), "answered before any work was done");

        // the video step's own state: captions run beside it (both follow the voice), so current_step, the step
        // touched last, may name either
        JsonNode running = talkreel.client().waitFor(id,
                j -> "running".equals(j.path("steps").path("video").path("state").asText()), JOB_DEADLINE);
        assertEquals("running", running.path("status").asText());
        assertEquals("done", running.path("steps").path("voice").path("state").asText());

        JsonNode done = talkreel.client().waitForEnd(id, JOB_DEADLINE);
        assertEquals("done", done.path("status").asText(), done.toString());
        for (String step : List.of("audio", "voice", "portrait", "video")) {
            JsonNode s = done.path("steps").path(step);
            assertEquals("done", s.path("state").asText(), step);
            assertEquals(1, s.path("attempt").asInt(), step);
            assertFalse(s.path("started").asText().isBlank(), step);
            assertFalse(s.path("ended").asText().isBlank(), step);
        }
        assertTrue(Files.isRegularFile(talkreel.shared().resolve(done.path("result").path("video").asText())));
        // what each service said reaches the record: the reply beans' facts, noted by the routes
        JsonNode steps = done.path("steps");
        assertTrue(steps.path("portrait").path("details").has("queue_number"), steps.toString());
        // the output node's filename_prefix carries the job id: ComfyUI saves into the job's own subfolder
        assertEquals("talkreel/" + id + "/portrait_00001_.png",
                steps.path("portrait").path("details").path("comfyui_file").asText(), steps.toString());
        assertEquals(24000, steps.path("voice").path("details").path("vibevoice_sample_rate").asInt(), steps.toString());
        assertTrue(steps.path("video").path("details").path("service_video_path").asText().startsWith("/output/"),
                steps.toString());
        JsonNode list = JobClient.JSON.readTree(talkreel.client().get("/api/jobs").body());
        assertTrue(list.path("jobs").findValuesAsText("job_id").contains(id));
        assertEquals(404, talkreel.client().get("/api/jobs/20200101-000000-nosuch").statusCode());
    }

    @Test
    void comfyUiAnswersEmptyHistoryManyTimesBeforeThePortraitIsDone() throws Exception {
        talkreel.emulators().comfyui.behaviour().latency("execute", Duration.ofMillis(2500));
        // without ComfyUI's websocket (dropped at the first event, reopening refused): polling alone, as with a server
        // whose socket is unreachable; with the socket, one poll after the render suffices (ComfyWebSocketIT)
        talkreel.emulators().comfyui.behaviour().failNext("ws", Fault.DROP, 10_000).failNext("ws-events", Fault.DROP, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "Patience is a virtue."));

        JsonNode done = talkreel.client().waitForEnd(id, JOB_DEADLINE);

        assertEquals("done", done.path("status").asText(), done.toString());
        int historyPolls = talkreel.emulators().comfyui.calls().count("GET /history/:prompt_id");
        assertTrue(historyPolls >= 10, "history polled " + historyPolls + " times");
        assertEquals(1, talkreel.emulators().comfyui.calls().count("POST /prompt"), "submitted once");
        assertTrue(done.path("steps").path("portrait").path("details").path("polls").asInt() >= 10);
    }

    @Test
    void aTaskThatFailsFailsTheJobWithItsStepAndMessage() throws Exception {
        talkreel.emulators().yttools.behaviour().failNext("task", Fault.TASK_FAILED, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "This will not be said."));

        JsonNode failed = talkreel.client().waitForEnd(id, JOB_DEADLINE);

        assertEquals("failed", failed.path("status").asText());
        assertEquals("audio", failed.path("current_step").asText());
        JsonNode audio = failed.path("steps").path("audio");
        assertEquals("failed", audio.path("state").asText());
        assertEquals(1, audio.path("error").path("attempt").asInt());
        assertEquals("StepFailedException", audio.path("error").path("error_class").asText());
        assertTrue(audio.path("error").path("message").asText().contains("Video unavailable"), audio.toString());
        assertEquals(audio.path("error"), failed.path("error"));
        assertEquals("pending", failed.path("steps").path("voice").path("state").asText());
    }

    @Test
    void aServiceErrorIsRetriedAndTheJobStillFinishes() throws Exception {
        talkreel.emulators().vibevoice.behaviour().failNext("tts", Fault.ERROR_500, 1);
        String id = talkreel.client().submit(JobClient.job(URL, "Second time lucky."));

        JsonNode done = talkreel.client().waitForEnd(id, JOB_DEADLINE);

        assertEquals("done", done.path("status").asText(), done.toString());
        assertEquals(2, talkreel.emulators().vibevoice.calls().count("POST /api/tts"));
    }

    @Test
    void outOfGpuMemoryIsRetriedOnceAfterACoolDownThenFailsSayingSo() throws Exception {
        talkreel.emulators().infinitetalk.behaviour().failNext("generate", Fault.OOM, 3);
        String id = talkreel.client().submit(JobClient.job(URL, "Too big for the card."));

        JsonNode failed = talkreel.client().waitForEnd(id, JOB_DEADLINE);

        assertEquals("failed", failed.path("status").asText());
        JsonNode error = failed.path("steps").path("video").path("error");
        assertEquals("HttpOperationFailedException", error.path("error_class").asText());
        assertTrue(error.path("message").asText().contains("infinitetalk-api answered HTTP 500"), error.toString());
        assertTrue(error.path("message").asText().contains("CUDA out of memory"), error.toString());
        assertEquals(2, talkreel.emulators().infinitetalk.calls().count("POST /api/generate-video"), "one retry, not three");
    }

    @Test
    void speechLongerThanTheVideoFailsTheJobSayingByHowMuch() throws Exception {
        String id = talkreel.client().submit(JobClient.jobWithWords(22));

        JsonNode failed = talkreel.client().waitForEnd(id, JOB_DEADLINE);

        assertEquals("failed", failed.path("status").asText());
        String message = failed.path("steps").path("voice").path("error").path("message").asText();
        assertTrue(message.contains("lasts 8.80 s, 0.80 s longer than the 8-second video"), message);
        assertEquals(0, talkreel.emulators().infinitetalk.calls().count("POST /api/generate-video"));
    }

    @Test
    void badJobFilesAndBodiesAreRefusedWithTheirReasonAndNothingIsLost() throws Exception {
        talkreel.client().drop("vimeo.json", JobClient.job("https://vimeo.com/123456", "Not from YouTube."));
        talkreel.client().drop("broken.json", "{\"youtube_url\": ");

        Path failed = talkreel.stack().shared().resolve("inbox/.failed");
        Path vimeo = JobClient.waitForKept(failed, "vimeo.json", Duration.ofSeconds(20));
        Path broken = JobClient.waitForKept(failed, "broken.json", Duration.ofSeconds(20));
        JsonNode why = JobClient.JSON.readTree(vimeo.resolveSibling(vimeo.getFileName() + ".error.json").toFile());
        assertEquals("youtube_url", why.path("errors").get(0).path("field").asText());
        assertTrue(why.path("errors").get(0).path("message").asText().contains("YouTube video URL"));
        assertEquals(JobClient.job("https://vimeo.com/123456", "Not from YouTube."), Files.readString(vimeo),
                "the original is kept as it was");
        JsonNode brokenWhy = JobClient.JSON.readTree(broken.resolveSibling(broken.getFileName() + ".error.json").toFile());
        assertEquals("body", brokenWhy.path("errors").get(0).path("field").asText());

        HttpResponse<String> refused = talkreel.client().post("{\"youtube_url\": \"" + URL + "\", \"script\": \" \", \"seed\": -1}");
        assertEquals(400, refused.statusCode());
        JsonNode errors = JobClient.JSON.readTree(refused.body()).path("errors");
        assertEquals(List.of("script", "seed"), errors.findValuesAsText("field"));
        HttpResponse<String> tooLong = talkreel.client().post(JobClient.jobWithWords(40));
        assertEquals(400, tooLong.statusCode());
        assertTrue(tooLong.body().contains("40 words, about 16.0 s of speech"), tooLong.body());
        // (GET / is readiness probing the service, jobs or not)
        assertEquals(0, talkreel.emulators().yttools.calls().total() - talkreel.emulators().yttools.calls().count("GET /"),
                "nothing refused reached a service: " + talkreel.emulators().yttools.calls().snapshot());
    }

    @Test
    void twoJobsAtOnceNeverRunTwoGpuStepsAtTheSameTime() throws Exception {
        talkreel.emulators().vibevoice.behaviour().latency("tts", Duration.ofMillis(700));
        talkreel.emulators().comfyui.behaviour().latency("execute", Duration.ofMillis(700));
        talkreel.emulators().infinitetalk.behaviour().latency("generate", Duration.ofMillis(700));
        talkreel.client().drop("first.json", JobClient.job(URL, "First of two."));
        talkreel.client().drop("second.json", JobClient.job("https://youtu.be/dQw4w9WgXcQ", "Second of two."));

        String first = jobIdFor("inbox:first.json");
        String second = jobIdFor("inbox:second.json");
        assertEquals("done", talkreel.client().waitForEnd(first, JOB_DEADLINE).path("status").asText());
        assertEquals("done", talkreel.client().waitForEnd(second, JOB_DEADLINE).path("status").asText());

        assertEquals(6, talkreel.emulators().gpu.runs(), "three GPU steps per job");
        assertNull(talkreel.emulators().gpu.firstOverlap());
        assertEquals(1, talkreel.emulators().gpu.maxConcurrent());
    }

    /** The id of the job created from a source (inbox:name or http), waiting for it to appear. */
    private String jobIdFor(String source) throws Exception {
        return await("a job from " + source).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    JsonNode jobs = JobClient.JSON.readTree(talkreel.client().get("/api/jobs?limit=200").body());
                    for (JsonNode row : jobs.path("jobs")) {
                        JsonNode job = talkreel.client().job(row.path("job_id").asText());
                        if (source.equals(job.path("source").asText())) {
                            return job.path("job_id").asText();
                        }
                    }
                    return null;
                }, id -> id != null);
    }
}
