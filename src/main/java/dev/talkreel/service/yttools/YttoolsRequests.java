package dev.talkreel.service.yttools;

import dev.talkreel.job.JobRequest;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.YoutubeUrl;
import java.util.LinkedHashMap;
import java.util.Map;

/** yttools' requests (docs/SERVICES.md §4), built from the job. */
public final class YttoolsRequests {
    private final JobStore jobs;
    private final String audioFormat;

    public YttoolsRequests(JobStore jobs, String audioFormat) {
        this.jobs = jobs;
        this.audioFormat = audioFormat;
    }

    /** POST /api/download: the canonical YouTube URL rebuilt from the validated video id, never the user's text. */
    public Map<String, Object> download(String jobId) {
        JobRequest in = jobs.get(jobId).input;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", YoutubeUrl.canonical(in.videoId));
        body.put("start_time", number(in.segmentStart));
        body.put("end_time", number(in.segmentEnd));
        body.put("audio_format", audioFormat);
        body.put("enable_whisper", false);
        return body;
    }

    /** 12.0 is sent as 12: the service's own examples use whole seconds. */
    static Number number(double v) {
        return v % 1 == 0 ? (Number) (long) v : (Number) v;
    }
}
