#!/usr/bin/env bash
# The end-to-end benchmark: one job through the real orchestrator and the emulators with fixed latencies, measured
# against the ideal critical path under the GPU limit, for two polling settings side by side in one run.
# Usage: bench/run.sh [runs per setting, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
exec java -Xmx512m -Dorg.bytedeco.javacpp.cachedir=target/javacpp-cache \
  -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" dev.talkreel.bench.PipelineBenchmark "$@"
