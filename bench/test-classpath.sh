#!/usr/bin/env bash
# Runs a bench main class that lives with the tests (it starts server processes and an in-process
# S3-compatible server) on the test class path:
#   bench/test-classpath.sh <class> [arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/select-jdk.sh
select_jdk
./mvnw -q -B test-compile
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
"$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" "$@"
