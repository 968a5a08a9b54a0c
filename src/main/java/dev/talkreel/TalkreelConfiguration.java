package dev.talkreel;

import dev.talkreel.api.ApiDocument;
import dev.talkreel.api.ApiGuard;
import dev.talkreel.api.ConnectionGuard;
import dev.talkreel.api.EventStreams;
import dev.talkreel.api.GuardedVertx;
import dev.talkreel.api.InboxFiles;
import dev.talkreel.api.Intake;
import dev.talkreel.api.JobApi;
import dev.talkreel.callback.CallbackHosts;
import dev.talkreel.callback.Callbacks;
import dev.talkreel.captions.CaptionSettings;
import dev.talkreel.captions.Captions;
import dev.talkreel.api.RequestGate;
import dev.talkreel.api.JobArtifacts;
import dev.talkreel.files.PathMap;
import dev.talkreel.files.SharedVolume;
import dev.talkreel.finish.FinishGraph;
import dev.talkreel.finish.Finisher;
import dev.talkreel.finish.OutputProfiles;
import dev.talkreel.media.Loudness;
import dev.talkreel.gpu.GpuGate;
import dev.talkreel.gpu.GpuHosts;
import dev.talkreel.gpu.DeviceMemory;
import dev.talkreel.gpu.GpuPolicy;
import dev.talkreel.gpu.VramHandoff;
import dev.talkreel.gpu.VramHolder;
import dev.talkreel.job.JobRecord;
import dev.talkreel.job.JobSchema;
import dev.talkreel.job.JobStore;
import dev.talkreel.job.JobValidator;
import dev.talkreel.job.StepDurations;
import dev.talkreel.media.MediaChecks;
import dev.talkreel.media.MediaTools;
import dev.talkreel.pipeline.HandOffs;
import dev.talkreel.pipeline.JobSlots;
import dev.talkreel.pipeline.PerService;
import dev.talkreel.pipeline.Pipeline;
import dev.talkreel.pipeline.PollBudget;
import dev.talkreel.pipeline.ResultAssembler;
import dev.talkreel.pipeline.RetryPolicy;
import dev.talkreel.observe.ServiceProbes;
import dev.talkreel.observe.ServicesHealthCheck;
import dev.talkreel.observe.TalkreelMetrics;
import dev.talkreel.observe.VolumeHealthCheck;
import dev.talkreel.pipeline.StepDefinition;
import dev.talkreel.pipeline.StepMarkers;
import dev.talkreel.pipeline.StepTracker;
import dev.talkreel.pipeline.Supervisor;
import dev.talkreel.pipeline.TaskSlots;
import dev.talkreel.pipeline.Transfers;
import dev.talkreel.pipeline.WatchScheduler;
import dev.talkreel.service.TaskWaits;
import dev.talkreel.service.comfyui.ComfyWorkflow;
import dev.talkreel.service.comfyui.ComfyuiEvents;
import dev.talkreel.service.comfyui.ComfyuiReplies;
import dev.talkreel.service.comfyui.ComfyuiRequests;
import dev.talkreel.service.infinitetalk.InfinitetalkReplies;
import dev.talkreel.service.infinitetalk.InfinitetalkRequests;
import dev.talkreel.service.vibevoice.VibevoiceReplies;
import dev.talkreel.service.vibevoice.VibevoiceRequests;
import dev.talkreel.service.yttools.YttoolsPace;
import dev.talkreel.service.yttools.YttoolsReplies;
import dev.talkreel.service.yttools.YttoolsRequests;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.LoggerFactory;

/**
 * The beans the YAML routes call, built from config/application.properties. Java does only what YAML cannot say
 * clearly: validation, the job record, media checks, path guards, the GPU gate.
 */
public class TalkreelConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) throws Exception {
        Config c = new Config(camel);
        refuseRouteReload(c);
        // the ComfyUI workflow is parsed and its bindings checked once, before anything is made: a wrong one (or a
        // missing or broken file) refuses the start instead of failing every job at its portrait step
        ComfyWorkflow comfyWorkflow = ComfyWorkflow.load(Path.of(c.get(ComfyWorkflow.WORKFLOW).trim()),
                c::optional);
        // nothing is written on the volume until the context starts: serve's check, which runs beside this boot, may
        // still refuse the start
        SharedVolume volume = SharedVolume.at(Path.of(c.get("talkreel.shared.dir")));
        // the steps are declared in routes/ (template-step.camel.yaml), read once the routes are added
        Pipeline pipeline = new Pipeline(camel, volume.jobs());
        JobStore jobs = new JobStore(volume, Clock.systemUTC(), pipeline::ids);
        // the routes are added but no consumer runs yet: the declared steps are checked, the jobs put in order
        camel.addStartupListener((context, alreadyStarted) -> {
            volume.create();
            LoggerFactory.getLogger("talkreel.jobs").info("pipeline: {}", pipeline.ids());
            List<String> unfinished = jobs.reconcile();
            if (!unfinished.isEmpty()) {
                LoggerFactory.getLogger("talkreel.jobs").info("carrying on {} unfinished job(s): {}", unfinished.size(),
                        unfinished);
            }
        });
        PathMap infinitetalkPaths = PathMap.parse(c.get("talkreel.infinitetalk.path-map"));

        // a callback_url is called only on a host an operator allowed; the outcome is kept on the volume before the
        // job's record says it ended, then sent by routes/callbacks.camel.yaml
        CallbackHosts callbackHosts = new CallbackHosts(c.optional("talkreel.callback.allowed-hosts"));
        // the job's fields are declared in the schema file; its limits are the rules a schema cannot say
        // (read beside the boot; the routes do not start until it is read and fit)
        JobSchema schema = JobSchema.loadBeside(Path.of(c.get("talkreel.job.schema")));
        camel.addStartupListener((context, alreadyStarted) -> schema.await());
        JobValidator validator = new JobValidator(schema, JobValidator.Limits.from(c::get), callbackHosts::refusal);
        Callbacks callbacks = new Callbacks(jobs, callbackHosts, new Callbacks.Settings(
                Objects.requireNonNullElse(c.optional("talkreel.callback.secret"), ""),
                c.integer("talkreel.callback.deadline-ms"), c.integer("talkreel.callback.initial-delay-ms"),
                c.integer("talkreel.callback.max-delay-ms")), Clock.systemUTC());
        jobs.observe(callbacks);
        camel.addStartupListener((context, alreadyStarted) -> callbacks.createFolders());

        // per service (talkreel.<service>.*, else talkreel.default.*), read when a step of that service first asks
        PerService<RetryPolicy.Policy> retries = new PerService<>(s -> new RetryPolicy.Policy(
                (int) c.ofService(s, "retry.attempts"), c.ofService(s, "retry.initial-delay-ms"),
                c.ofService(s, "retry.max-delay-ms"), c.ofService(s, "deadline-ms"), c.ofService(s, "retry.oom-cooldown-ms")));
        PerService<PollBudget.Limits> pollLimits = new PerService<>(s -> new PollBudget.Limits(
                (int) c.ofService(s, "max-polls"), c.ofService(s, "deadline-ms")));
        // every reply's limits: size cap, whole-transfer deadline, minimum rate (Transfers, BoundedStream); a
        // service that sends no files over HTTP has no max-download-bytes: its replies' cap is the one
        PerService<Transfers.Limits> transferLimits = new PerService<>(s -> new Transfers.Limits(
                c.ofService(s, "max-reply-bytes"),
                c.has("talkreel." + s + ".max-download-bytes") || !c.has("talkreel." + s + ".max-reply-bytes")
                        ? c.ofService(s, "max-download-bytes") : c.ofService(s, "max-reply-bytes"),
                c.ofService(s, "transfer-deadline-ms"), c.ofService(s, "min-bytes-per-second"),
                c.ofService(s, "min-rate-grace-ms")));
        Registry r = camel.getRegistry();
        r.bind("jobStore", jobs);
        r.bind("callbacks", callbacks);
        // GET /observe/metrics: talkreel's meters on the registry camel-micrometer-prometheus serves
        TalkreelMetrics metrics = new TalkreelMetrics(meterRegistry(r),
                step -> pipeline.find(step).map(StepDefinition::service).orElse("unknown"));
        jobs.observe(metrics);
        r.bind("talkreelMetrics", metrics);
        // GET /observe/health/ready: the volume takes writes; each service's reachability (degraded, never down)
        r.bind("volumeHealthCheck", new VolumeHealthCheck(volume.root()));
        ServiceProbes serviceProbes = new ServiceProbes(() -> serviceUrls(c, pipeline),
                Duration.ofMillis(c.integer("talkreel.health.probe-timeout-ms")),
                Duration.ofMillis(c.integer("talkreel.health.cache-ms")), Clock.systemUTC());
        r.bind("servicesHealthCheck", new ServicesHealthCheck(serviceProbes));
        // the first probe runs while the routes start: the first readiness scrape does not wait for it
        camel.addStartupListener((context, alreadyStarted) -> serviceProbes.probeInBackground());
        // inbox files are read on threads of their own, with a deadline (talkreel.inbox.read-timeout-ms)
        InboxFiles inboxFiles = new InboxFiles(jobs, camel.getExecutorServiceManager().newThreadPool(this,
                "inbox-read", 1, c.integer("talkreel.inbox.parallel") * 2), c.integer("talkreel.inbox.read-timeout-ms"));
        r.bind("inboxFiles", inboxFiles);
        r.bind("intake", new Intake(validator, jobs, inboxFiles));
        // the time to done, from how long each step took lately (the recent jobs' records at first use)
        StepDurations durations = new StepDurations(jobs.events(), c.integer("talkreel.estimate.window"),
                () -> recentJobs(jobs));
        JobApi jobApi = new JobApi(jobs, durations);
        r.bind("jobApi", jobApi);
        r.bind("jobArtifacts", new JobArtifacts(jobs, pipeline));
        ApiGuard apiGuard = new ApiGuard(c.get("talkreel.http.host"), c.get("talkreel.http.token"));
        r.bind("apiGuard", apiGuard);
        // the server listens before the routes exist: 503 + Retry-After until every route has started, never 404
        RequestGate gate = new RequestGate(apiGuard, c.integer("talkreel.http.starting-retry-after-s"));
        // GET /api/openapi.json is made after the start (a few seconds after: about a tenth of a start's CPU), not
        // while the routes start
        ApiDocument apiDocument = new ApiDocument();
        r.bind("apiDocument", apiDocument);
        camel.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) throws Exception {
                // the jobs gauge starts from the unfinished jobs (reconciled just before); writes keep it current
                jobs.unfinished().forEach(metrics::recorded);
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                gate.open();
                apiDocument.prepare(API_DOCUMENT_AFTER_MS);
            }
        });
        // the API server's own defence: platform-http runs on the one Vert.x in the registry, this guarded one
        GuardedVertx apiVertx = new GuardedVertx(new ConnectionGuard(new ConnectionGuard.Limits(
                c.integer("talkreel.http.idle-timeout-ms"), c.integer("talkreel.http.header-timeout-ms"),
                c.integer("talkreel.http.request-timeout-ms"), c.integer("talkreel.http.max-connections"))), gate);
        camel.addService(apiVertx);
        r.bind("apiVertx", apiVertx.vertx());
        r.bind("connectionGuard", apiVertx.guard());
        // live progress (Server-Sent Events): Vert.x routes on the API's own router, as a route answers only once
        new EventStreams(jobs, apiGuard, apiVertx.guard(), jobApi::statusView, eventLimits(c))
                .installOn(camel, c.integer("talkreel.http.port"));
        r.bind("pipeline", pipeline);
        r.bind("stepTracker", new StepTracker(jobs, pipeline));
        r.bind("supervisor", new Supervisor(jobs, Clock.systemUTC(), c.integer("talkreel.supervise.stale-after-ms"),
                c.integer("talkreel.archive.after-ms")));
        // the GPU hosts (talkreel.gpu.hosts, else the one host of talkreel.<service>.url), each with its own gate and
        // VRAM hand-off; the default host's are bound as gpuGate and vramHandoff too (tests and diagnostics)
        GpuHosts gpuHosts = gpuHosts(c, pipeline, jobs, metrics);
        r.bind("gpuHosts", gpuHosts);
        r.bind("gpuGate", gpuHosts.hosts().get(0).gate());
        r.bind("vramHandoff", gpuHosts.hosts().get(0).handoff());
        r.bind("retryPolicy", new RetryPolicy(pipeline, retries, metrics::retried, gpuHosts::retriesElsewhere));
        r.bind("transfers", new Transfers(pipeline, transferLimits, jobs));
        r.bind("pollBudget", new PollBudget(pipeline, pollLimits, jobs));
        // each step watcher's scans: timed, and at once when this process writes a marker the step waits for, or
        // when a step's slot comes back while a marker of it was left for the next scan
        HandOffs handOffs = new HandOffs(pipeline, Boolean.parseBoolean(c.get("talkreel.watch.in-process").trim()));
        jobs.observe(handOffs);
        r.bindAsPrototype("watchScheduler", WatchScheduler.class, handOffs::newScheduler);
        r.bind("jobSlots", new JobSlots(c.integer("talkreel.watch.max-parallel-jobs"), handOffs::wake));
        // a service with talkreel.<service>.max-in-flight takes that many tasks at once (yttools)
        r.bind("taskSlots", new TaskSlots(pipeline, new PerService<>(s -> taskLimit(c, s)), jobs));
        // each service's requests and replies, bound under their class names
        r.bind("yttoolsRequests", new YttoolsRequests(jobs, c.get("talkreel.yttools.audio-format")));
        r.bind("yttoolsReplies", new YttoolsReplies());
        r.bind("vibevoiceRequests", new VibevoiceRequests(jobs, pipeline, c.under("talkreel.vibevoice.")));
        r.bind("vibevoiceReplies", new VibevoiceReplies(jobs));
        // the pause between two polls (template-submit-then-poll): a plain wait, or one ComfyUI's websocket ends
        // early; both end when talkreel begins to stop, so a pause never holds the shutdown
        TaskWaits plainPause = new TaskWaits();
        r.bind("plainPause", plainPause);
        // yttools' pause: a poll just after the task's progress says it is done, within the poll interval
        r.bind("yttoolsPause", new YttoolsPace(plainPause, new YttoolsPace.Settings(
                Boolean.parseBoolean(c.get("talkreel.yttools.adaptive-poll").trim()),
                c.longValue("talkreel.yttools.first-poll-ms"), c.longValue("talkreel.yttools.min-poll-ms"),
                c.longValue("talkreel.yttools.average-poll-ms"))));
        // one socket to each GPU host's ComfyUI: a prompt's events come from the host that took it
        ComfyuiEvents comfyuiEvents = new ComfyuiEvents(gpuHosts.hosts().stream().map(h -> h.urls().get("comfyui"))
                .toList(), () -> clientId(volume), new ComfyuiEvents.Settings(
                c.longValue("talkreel.comfyui.ws-safety-poll-ms"), c.longValue("talkreel.comfyui.connect-timeout-ms"),
                c.longValue("talkreel.comfyui.ws-reconnect-min-ms"), c.longValue("talkreel.comfyui.ws-reconnect-max-ms")));
        camel.addService(comfyuiEvents);
        r.bind("comfyuiEvents", comfyuiEvents);
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                plainPause.stop();
                comfyuiEvents.stopWaits();
            }
        });
        // the frame each job is finished to (its output_profile, else talkreel.output.profile), and its portrait size
        OutputProfiles outputProfiles = OutputProfiles.fromSettings(c::optional, jobs);
        r.bind("outputProfiles", outputProfiles);
        r.bind("comfyuiRequests", new ComfyuiRequests(jobs, new ComfyuiRequests.Settings(
                comfyWorkflow, outputProfiles, c.get("talkreel.comfyui.default-prompt"), comfyuiEvents::clientId)));
        r.bind("comfyuiReplies", new ComfyuiReplies(comfyWorkflow.outputNode(), retries.get("comfyui").oomCooldownMs()));
        // how each GPU host's InfiniteTalk sees the volume: talkreel.gpu.host.<name>.infinitetalk.path-map, else
        // talkreel.infinitetalk.path-map
        Map<String, PathMap> hostPaths = new LinkedHashMap<>();
        for (GpuHosts.Host host : gpuHosts.hosts()) {
            String key = "talkreel.gpu.host." + host.name() + ".infinitetalk.path-map";
            if (c.has(key)) {
                hostPaths.put(host.name(), PathMap.parse(c.get(key)));
            }
        }
        Function<String, PathMap> infinitetalkPathsOf = host -> hostPaths.getOrDefault(host, infinitetalkPaths);
        r.bind("infinitetalkRequests", new InfinitetalkRequests(jobs, pipeline, infinitetalkPathsOf,
                c.under("talkreel.infinitetalk.")));
        r.bind("infinitetalkReplies", new InfinitetalkReplies(jobs, pipeline, infinitetalkPathsOf));
        r.bind("mediaTools", new MediaTools(volume));
        r.bind("mediaChecks", new MediaChecks(jobs, pipeline, c.decimal("talkreel.video.seconds"), outputProfiles));
        r.bind("finisher", new Finisher(volume, outputProfiles, new Finisher.Settings(
                new Loudness.Target(c.decimal("talkreel.finish.loudness.target-lufs"),
                        c.decimal("talkreel.finish.loudness.true-peak-dbtp"), c.decimal("talkreel.finish.loudness.range-lu")),
                FinishGraph.Fill.named(c.get("talkreel.output.fill")),
                new FinishGraph.Encoding(c.get("talkreel.finish.x264-preset").trim(), c.integer("talkreel.finish.crf")),
                c.decimal("talkreel.video.seconds"), Duration.ofMillis(c.integer("talkreel.finish.ffmpeg-timeout-ms")),
                c.integer("talkreel.finish.nice"))));
        r.bind("stepMarkers", new StepMarkers());
        r.bind("resultAssembler", new ResultAssembler(jobs, pipeline,
                Arrays.stream(c.get("talkreel.outbox.also").split(",")).map(String::trim).filter(n -> !n.isEmpty())
                        .toList()));
        // the captions step's cues, timing and pictures (talkreel.captions.*)
        r.bind("captions", new Captions(jobs, volume, outputProfiles, CaptionSettings.from(c::get)));
    }

    /** The GPU services a host of talkreel.gpu.hosts runs (yttools runs where talkreel.yttools.url says). */
    private static final List<String> GPU_SERVICES = List.of("vibevoice", "comfyui", "infinitetalk");
    /** How long after the start the OpenAPI document is made. */
    private static final long API_DOCUMENT_AFTER_MS = 3000;

    /**
     * The GPU hosts: each name of talkreel.gpu.hosts with its talkreel.gpu.host.&lt;name&gt;.&lt;service&gt;.url and
     * .slots; without talkreel.gpu.hosts, one host named "default" with talkreel.&lt;service&gt;.url and
     * talkreel.gpu.slots (today's settings). The gate knows each GPU step by the model it needs (its service) and its
     * place in the pipeline; all gates share the policy's settings, each keeps its own queue and loaded model.
     */
    private static GpuHosts gpuHosts(Config c, Pipeline pipeline, JobStore jobs, TalkreelMetrics metrics) {
        List<String> names = Arrays.stream(c.getOr("talkreel.gpu.hosts", "").split(",")).map(String::trim)
                .filter(n -> !n.isEmpty()).toList();
        List<GpuHosts.Host> hosts = new ArrayList<>();
        for (String name : names.isEmpty() ? List.of("default") : names) {
            String prefix = names.isEmpty() ? "talkreel." : "talkreel.gpu.host." + name + ".";
            Map<String, String> urls = new LinkedHashMap<>();
            for (String service : GPU_SERVICES) {
                urls.put(service, c.get(prefix + service + ".url").trim());
            }
            int slots = c.integer(names.isEmpty() ? "talkreel.gpu.slots" : prefix + "slots");
            GpuGate gate = new GpuGate(new GpuGate.Settings(slots, c.integer("talkreel.gpu.max-wait-ms"),
                    GpuPolicy.named(c.get("talkreel.gpu.policy").trim(), c.integer("talkreel.gpu.max-passed-over")),
                    Boolean.parseBoolean(c.get("talkreel.gpu.early-release").trim())),
                    new GpuGate.Steps(step -> modelOf(pipeline, step), step -> pipeline.ids().indexOf(step)), jobs,
                    metrics::gpuWaited);
            hosts.add(new GpuHosts.Host(name, urls, gate, vramHandoff(c, pipeline, jobs, urls)));
        }
        metrics.watchGpuQueue(() -> hosts.stream().mapToInt(h -> h.gate().queueLength()).sum());
        return new GpuHosts(hosts, service -> c.get("talkreel." + service + ".url").trim(),
                step -> modelOf(pipeline, step), c.longValue("talkreel.gpu.host-down-ms"), jobs);
    }

    private static String modelOf(Pipeline pipeline, String step) {
        return pipeline.find(step).map(StepDefinition::service).orElse(step);
    }

    /**
     * Before a GPU step, room for its model on its host (gpu/VramHandoff): a step whose service says how much free
     * VRAM it needs (talkreel.&lt;service&gt;.vram-required-gb) has the host's other GPU services asked to let go of
     * theirs; the device's free memory is read from the host's ComfyUI /system_stats.
     */
    private static VramHandoff vramHandoff(Config c, Pipeline pipeline, JobStore jobs, Map<String, String> urls) {
        Function<String, VramHandoff.Need> needs = step -> pipeline.find(step)
                .filter(d -> d.gpu() && c.has("talkreel." + d.service() + ".vram-required-gb"))
                .map(d -> new VramHandoff.Need(d.service(), d.serviceName(),
                        (long) (c.decimal("talkreel." + d.service() + ".vram-required-gb") * (1L << 30)),
                        c.ofService(d.service(), "response-timeout-ms")))
                .orElse(null);
        // read when first needed: the steps are declared by the routes, added after this configuration
        Supplier<List<VramHolder>> holders = () -> vramHolders(c, pipeline, urls);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        DeviceMemory device = new DeviceMemory(urls.get("comfyui"), http);
        return new VramHandoff(new VramHandoff.Settings(Boolean.parseBoolean(c.get("talkreel.gpu.vram-handoff").trim()),
                c.longValue("talkreel.gpu.handoff.interval-ms"), c.integer("talkreel.gpu.handoff.tries"),
                c.longValue("talkreel.gpu.settle.max-wait-ms")), needs, holders, device::freeBytes, http, jobs);
    }

    /**
     * The GPU services of a host that may hold VRAM, each with its way to be asked to let go: ComfyUI and VibeVoice
     * can be asked (even with a step swapped for another service, their model may be loaded); every other GPU service
     * of the pipeline cannot (InfiniteTalk), and is named when memory stays taken.
     */
    private static List<VramHolder> vramHolders(Config c, Pipeline pipeline, Map<String, String> urls) {
        Map<String, VramHolder> holders = new LinkedHashMap<>();
        holders.put("comfyui", VramHolder.comfyui(serviceName(pipeline, "comfyui", "ComfyUI"), urls.get("comfyui")));
        holders.put("vibevoice", VramHolder.vibevoice(serviceName(pipeline, "vibevoice", "vibevoice-api"),
                urls.get("vibevoice"), c.get("talkreel.vibevoice.model").trim()));
        for (String id : pipeline.ids()) {
            StepDefinition d = pipeline.step(id);
            if (d.gpu()) {
                holders.putIfAbsent(d.service(), VramHolder.cannotBeAsked(d.service(), d.serviceName()));
            }
        }
        return List.copyOf(holders.values());
    }

    /** The name the steps give a service, or {@code fallback} when no step uses it. */
    private static String serviceName(Pipeline pipeline, String service, String fallback) {
        return pipeline.ids().stream().map(pipeline::step).filter(d -> d.service().equals(service))
                .map(StepDefinition::serviceName).findFirst().orElse(fallback);
    }

    /** The registry camel-micrometer-prometheus serves (it looks it up by this name, and makes one when absent). */
    private static MeterRegistry meterRegistry(Registry r) {
        MeterRegistry found = r.lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (found != null) {
            return found;
        }
        PrometheusMeterRegistry made = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.bind("metricsRegistry", made);
        return made;
    }

    /** This install's ComfyUI client id, kept on the volume (made by then: asked for once the context starts). */
    private static String clientId(SharedVolume volume) {
        try {
            return ComfyuiEvents.clientIdFor(volume.root());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each service a declared step calls that has a talkreel.&lt;service&gt;.url, by name. */
    private static Map<String, URI> serviceUrls(Config c, Pipeline pipeline) {
        Map<String, URI> urls = new LinkedHashMap<>();
        for (StepDefinition step : pipeline.steps()) {
            String key = "talkreel." + step.service() + ".url";
            if (c.has(key)) {
                urls.putIfAbsent(step.service(), URI.create(c.get(key).trim()));
            }
        }
        return urls;
    }

    /** The most recent jobs, for the time estimate's first figures; none when the volume cannot be read. */
    private static List<JobRecord> recentJobs(JobStore jobs) {
        try {
            return jobs.recent(200, null);
        } catch (IOException e) {
            LoggerFactory.getLogger("talkreel.jobs").warn("no step durations from past jobs: {}", e.getMessage());
            return List.of();
        }
    }

    private static EventStreams.Limits eventLimits(Config c) {
        long heartbeat = c.integer("talkreel.events.heartbeat-ms");
        if (heartbeat < 1 || heartbeat >= c.integer("talkreel.http.idle-timeout-ms")) {
            throw new IllegalArgumentException("talkreel.events.heartbeat-ms must be positive and below "
                    + "talkreel.http.idle-timeout-ms, or idle event streams are closed; it is " + heartbeat);
        }
        return new EventStreams.Limits(c.integer("talkreel.events.max-streams"), heartbeat,
                c.integer("talkreel.events.max-queued-bytes"));
    }

    private static TaskSlots.Limit taskLimit(Config c, String service) {
        if (!c.has("talkreel." + service + ".max-in-flight")) {
            return null;
        }
        int max = c.integer("talkreel." + service + ".max-in-flight");
        if (max < 1) {
            throw new IllegalArgumentException("talkreel." + service + ".max-in-flight must be at least 1, not " + max);
        }
        return new TaskSlots.Limit(max, c.integer("talkreel." + service + ".max-wait-ms"));
    }

    /**
     * Route reload is not supported, and refused at start rather than half working: a reloaded file is stopped and
     * started again under the same route ids, so while it reloads the API answers 404, a job in a reloaded step loses
     * its exchange (it is "running" with nothing behind it until the supervisor carries it on), a broken edit removes
     * the route, and templates are not reloaded at all. Restart talkreel after editing routes/: jobs carry on from the
     * shared volume.
     */
    private static void refuseRouteReload(Config c) {
        if (Boolean.parseBoolean(c.getOr("camel.main.routes-reload-enabled", "false").trim())) {
            throw new IllegalStateException("camel.main.routes-reload-enabled is true, but talkreel does not support "
                    + "reloading routes while jobs run (README: Changing the routes); restart it after an edit instead");
        }
    }

    /** Reads settings with every override (-D, environment) applied, as the routes see them. */
    private static final class Config {
        private final CamelContext camel;

        Config(CamelContext camel) {
            this.camel = camel;
        }

        String get(String key) {
            return camel.resolvePropertyPlaceholders("{{" + key + "}}");
        }

        String getOr(String key, String fallback) {
            return camel.resolvePropertyPlaceholders("{{" + key + ":" + fallback + "}}");
        }

        int integer(String key) {
            return Integer.parseInt(get(key).trim());
        }

        long longValue(String key) {
            return Long.parseLong(get(key).trim());
        }

        boolean has(String key) {
            return camel.getPropertiesComponent().resolveProperty(key).isPresent();
        }

        /** The setting, or null when it is not set (for readers that take a key-to-value function). */
        String optional(String key) {
            return has(key) ? get(key) : null;
        }

        /** A number of the service's own (talkreel.&lt;service&gt;.&lt;key&gt;), else talkreel.default.&lt;key&gt;. */
        long ofService(String service, String key) {
            String own = "talkreel." + service + "." + key;
            return longValue(has(own) ? own : "talkreel.default." + key);
        }

        double decimal(String key) {
            return Double.parseDouble(get(key).trim());
        }

        /** Every setting under {@code prefix}, keyed without it. */
        Map<String, String> under(String prefix) {
            Map<String, String> out = new LinkedHashMap<>();
            for (String key : camel.getPropertiesComponent().loadProperties(k -> k.startsWith(prefix)).stringPropertyNames()) {
                out.put(key.substring(prefix.length()), get(key));
            }
            return out;
        }
    }
}
