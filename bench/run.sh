#!/usr/bin/env bash
# talkreel's benchmarks, each printing its figures side by side from one run.
#   bench/run.sh [critical] [runs] [jobs] [columns]
#                                    issue 10: talkreel (its own process) against emulators with fixed latencies, before
#                                    this session's improvements, at stock settings, with 250 ms polls, and the seed's
#                                    n8n flow: steps 1-3, one job (x critical path), jobs (20) at once (x GPU busy time),
#                                    GPU idle, requests per job, RSS, start-up, with the issue's targets; columns abcd (pipeline: same)
#   bench/run.sh gpu [jobs]          issue 11: jobs (20) queued at once on one emulated 32 GB GPU with 4 s model loads,
#                                    GPU policy fifo beside fewest-loads: makespan, model loads, ratio to the best schedule
#   bench/run.sh pool [jobs]         issue 11: jobs (20) queued at once on one emulated GPU host, on two, and on two whose
#                                    host b's emulators close a third into the run: makespan and its ratio to one host,
#                                    GPU steps and busy time per host, jobs lost, steps rerun on host a, finished steps redone
#   bench/run.sh finish [runs]       the time the finishing steps (finish, poster) add to a job, per output profile
#                                    (landscape, shorts, square), side by side
#   bench/run.sh portrait [n]        n portraits (20) with ComfyUI's websocket and with it dropped: the time from the
#                                    emulator's execution_success to portrait.done.json (median, p90), HTTP requests
#   bench/run.sh startup [runs]      serve in a fresh JVM (the jar, stock settings) until ready and until the API takes
#                                    jobs: median of runs (5), plain and with an AppCDS archive of its classes
#   bench/run.sh history [jobs]      start-up, idle CPU, one job and the list API on an empty volume vs one holding
#                                    10,000 finished jobs (archived, and in the old layout on its first start)
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-critical}"
[[ "$which" =~ ^[0-9]+$ ]] && which=critical || shift || true
case "$which" in
  critical|pipeline) main=dev.talkreel.bench.PipelineBenchmark ;;
  gpu) main=dev.talkreel.bench.GpuBenchmark ;;
  pool) main=dev.talkreel.bench.PoolBenchmark ;;
  history) main=dev.talkreel.bench.HistoryBenchmark ;;
  finish) main=dev.talkreel.bench.FinishBenchmark ;;
  portrait) main=dev.talkreel.bench.PortraitBenchmark ;;
  startup) main=dev.talkreel.bench.StartupBenchmark ;;
  *) echo "usage: bench/run.sh [critical|gpu|pool|history|finish|portrait|startup] [n]" >&2; exit 2 ;;
esac
# the jar too: the benches launch talkreel as the Docker image does (bench/ChildTalkreel.java)
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
exec java -Xmx512m -Dorg.bytedeco.javacpp.cachedir=target/javacpp-cache \
  -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" "$main" "$@"
