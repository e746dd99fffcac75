#!/usr/bin/env bash
# Resident memory of the server holding the CNN with 1 instance vs 4 instances (fresh server each).
#   bench/rss.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/select-jdk.sh
select_jdk
PORT=18081
[ -f target/plugboard-0.1.0-SNAPSHOT.jar ] || ./mvnw -q -B -DskipTests package
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
for instances in 1 4; do
  STORE=$(mktemp -d)
  "$JAVA_HOME/bin/java" -Xmx1g -jar target/plugboard-0.1.0-SNAPSHOT.jar --server.port=$PORT \
    --plugboard.store.path="$STORE" --logging.level.root=WARN >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null && break; sleep 1; done
  before=$(rss_kb $pid)
  curl -s -o /dev/null -F file=@src/test/resources/models/onnx/cnn.onnx -F name=cnn -F instances=$instances \
    "http://127.0.0.1:$PORT/v1/models"
  data=$(awk 'BEGIN { for (i = 0; i < 12288; i++) printf "%s%.3f", (i ? "," : ""), (i % 7) / 7 }')
  for _ in $(seq 1 50); do
    curl -s -o /dev/null -H 'Content-Type: application/json' \
      -d "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,3,64,64],\"datatype\":\"FP32\",\"data\":[$data]}]}" \
      "http://127.0.0.1:$PORT/v1/models/cnn/infer" &
  done
  wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
  after=$(rss_kb $pid)
  echo "instances=$instances rss_before_kb=$before rss_after_kb=$after delta_mb=$(( (after - before) / 1024 ))"
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$STORE"
done
