package dev.talkreel.gpu;

import dev.talkreel.job.JobStore;
import dev.talkreel.job.JobStoreTest;
import dev.talkreel.pipeline.Props;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;

/** Jobs and step exchanges for the GPU gate's and hosts' tests. */
final class GpuTestJobs {
    /** A pipeline's steps in order, and the model each GPU step needs. */
    static final List<String> STEPS = List.of("audio", "voice", "portrait", "video");
    static final Map<String, String> MODELS = Map.of("voice", "vibevoice", "portrait", "comfyui",
            "video", "infinitetalk");
    private static final CamelContext CAMEL = new DefaultCamelContext();

    private GpuTestJobs() {
    }

    /** A real job in the store, with its script. */
    static String job(JobStore jobs, String script) throws Exception {
        return jobs.create(JobStoreTest.request(script), "http", null).job().jobId;
    }

    /** The exchange of a job's step, as the step template makes it. */
    static Exchange exchange(String jobId, String step) {
        Exchange e = new DefaultExchange(CAMEL);
        e.setProperty(Props.JOB_ID, jobId);
        e.setProperty(Props.STEP, step);
        return e;
    }
}
