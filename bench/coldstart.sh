#!/usr/bin/env bash
# Cold start and upload-to-first-answer with real server processes (src/test/java/io/plugboard/bench/ColdStartBench.java):
#   bench/coldstart.sh [ROUNDS=3]
# JVM start to ready with an empty store and with 20 stored models; a 100 MB ONNX model from the start
# of its upload to its first correct answer.
# Writes bench/results/coldstart.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/select-jdk.sh
select_jdk
./mvnw -q -B test-compile
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
"$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" \
  io.plugboard.bench.ColdStartBench bench/results/coldstart.csv "${1:-3}"
