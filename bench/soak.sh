#!/usr/bin/env bash
# Hostile and well-behaved traffic against a fresh server (bench/Soak.java):
#   bench/soak.sh [PER_CLASS_SECONDS=20] [SOAK_MINUTES=30]
# First each hostile request class alone beside a well-behaved client and a liveness prober
# (bench/results/soak-per-class.csv), then all of them in turn for SOAK_MINUTES with resident
# memory, threads and open files sampled every 10 s (bench/results/soak-soak.csv).
set -euo pipefail
cd "$(dirname "$0")/.."
PER_CLASS=${1:-20}
MINUTES=${2:-30}
PORT=18085
. tools/select-jdk.sh
select_jdk
JAR=target/plugboard-0.1.0-SNAPSHOT.jar
[ -f "$JAR" ] || ./mvnw -q -B -DskipTests package
STORE=$(mktemp -d)
"$JAVA_HOME/bin/java" -Xmx1g -jar "$JAR" --server.port=$PORT --plugboard.store.path="$STORE" \
  --logging.level.root=WARN > bench/results/soak-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$STORE"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null && break; sleep 1; done
"$JAVA_HOME/bin/java" bench/Soak.java $PORT $SERVER "$PER_CLASS" "$MINUTES" bench/results/soak
