package dev.talkreel.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talkreel.emulator.CallLog;
import dev.talkreel.emulator.Emulators;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two emulated GPU hosts for the pool's test and benchmark: host a is the stack's own emulators (the one-host URL
 * settings), host b a second set of emulators on the same volume. Where each job's GPU steps ran is read from their
 * records (gpu_host) and checked against what each host's emulators journaled.
 */
public final class TwoGpuHosts {
    public static final List<String> GPU_STEPS = List.of("voice", "portrait", "video");

    private TwoGpuHosts() {
    }

    /** Host b's emulators on free ports, seeing {@code root}/shared as the stack's own do. */
    public static Emulators startHostB(Path root) throws Exception {
        return Emulators.startOnFreePorts(root.resolve("shared"), root.resolve("infinitetalk-output"),
                root.resolve("emulators-b"));
    }

    /** The settings of the pool: host a on the one-host URLs, host b on {@code b}, one slot each. */
    public static Map<String, String> settings(Emulators b) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("talkreel.gpu.hosts", "a,b");
        for (String service : new String[] {"vibevoice", "comfyui", "infinitetalk"}) {
            s.put("talkreel.gpu.host.a." + service + ".url", "{{talkreel." + service + ".url}}");
        }
        s.put("talkreel.gpu.host.b.vibevoice.url", b.vibevoice.baseUrl());
        s.put("talkreel.gpu.host.b.comfyui.url", b.comfyui.baseUrl());
        s.put("talkreel.gpu.host.b.infinitetalk.url", b.infinitetalk.baseUrl());
        s.put("talkreel.gpu.host.a.slots", "1");
        s.put("talkreel.gpu.host.b.slots", "1");
        return s;
    }

    /** The host the job's record names for the step ("" when none). */
    public static String host(JsonNode job, String step) {
        return job.path("steps").path(step).path("details").path("gpu_host").asText();
    }

    /** GPU work the host's emulators began for the job's step (its speech text, or its job id in the key). */
    public static int work(Emulators e, JsonNode job, String step) {
        String id = job.path("job_id").asText();
        List<CallLog.Work> journal = switch (step) {
            case "voice" -> e.vibevoice.calls().journal();
            case "portrait" -> e.comfyui.calls().journal();
            default -> e.infinitetalk.calls().journal();
        };
        String mark = step.equals("voice") ? job.path("input").path("script").asText() : id;
        return (int) journal.stream().filter(w -> w.key().contains(mark)).count();
    }

    /** GPU work of any kind the host's emulators began for the job (portraits and videos name the job). */
    public static int workOf(Emulators e, String jobId) {
        List<CallLog.Work> all = new ArrayList<>(e.comfyui.calls().journal());
        all.addAll(e.infinitetalk.calls().journal());
        return (int) all.stream().filter(w -> w.key().contains(jobId)).count();
    }

    /**
     * Where the jobs' GPU steps ran: steps per host (as the records say), steps begun on host b after all and rerun
     * on a because b was lost, and each breach: a step naming no host, not run exactly once on the host it names, or
     * run as well on a host that was not lost (a finished step redone).
     */
    public record Placement(Map<String, Integer> stepsPerHost, int rerunOnA, List<String> problems) {
    }

    /** Checks the jobs' GPU steps against the journals of host a and host b ({@code bLost}: b was stopped mid-run). */
    public static Placement placement(List<JsonNode> jobs, Emulators a, Emulators b, boolean bLost) {
        Map<String, Integer> perHost = new LinkedHashMap<>(Map.of("a", 0, "b", 0));
        int rerun = 0;
        List<String> problems = new ArrayList<>();
        for (JsonNode job : jobs) {
            for (String step : GPU_STEPS) {
                String host = host(job, step);
                if (!perHost.containsKey(host)) {
                    problems.add(step + " names no host: " + job);
                    continue;
                }
                perHost.merge(host, 1, Integer::sum);
                boolean onA = host.equals("a");
                int named = work(onA ? a : b, job, step);
                int other = work(onA ? b : a, job, step);
                if (named != 1) {
                    problems.add(step + " ran " + named + " times on host " + host + ", which its record names: "
                            + job);
                }
                if (onA && bLost) {
                    rerun += other;
                } else if (other > 0) {
                    problems.add(step + " finished on host " + host + " also ran on the other host: " + job);
                }
            }
        }
        return new Placement(perHost, rerun, problems);
    }
}
