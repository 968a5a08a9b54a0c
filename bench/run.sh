#!/usr/bin/env bash
# talkreel's benchmarks, each printing its figures side by side from one run.
#   bench/run.sh [pipeline] [runs]   one job end to end against the emulators with fixed latencies, measured against
#                                    the ideal critical path under the GPU limit, quick and production polls
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
which="${1:-pipeline}"
[[ "$which" =~ ^[0-9]+$ ]] && which=pipeline || shift || true
case "$which" in
  pipeline) main=dev.talkreel.bench.PipelineBenchmark ;;
  history) main=dev.talkreel.bench.HistoryBenchmark ;;
  finish) main=dev.talkreel.bench.FinishBenchmark ;;
  portrait) main=dev.talkreel.bench.PortraitBenchmark ;;
  startup) main=dev.talkreel.bench.StartupBenchmark
           mvn -B -q package -DskipTests ;;
  *) echo "usage: bench/run.sh [pipeline|history|finish|portrait|startup] [n]" >&2; exit 2 ;;
esac
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
exec java -Xmx512m -Dorg.bytedeco.javacpp.cachedir=target/javacpp-cache \
  -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" "$main" "$@"
