# Sourced by the bench scripts: selects a JDK >= 21, checks for wrk, builds the jar if it is
# missing, and defines start_server. Sets JAVA and ORT_JAR (the ONNX Runtime jar DirectOrt runs on).
#   start_server PORT LOG [server arguments...]
# starts the server on an empty store, waits until it is ready, and on exit stops it and removes
# the store (sets SERVER and STORE). PLUGBOARD_JAR runs another build's jar (bench/ab.sh).
. tools/select-jdk.sh
select_jdk
JAVA="$JAVA_HOME/bin/java"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
PLUGBOARD_JAR="${PLUGBOARD_JAR:-target/plugboard-0.1.0-SNAPSHOT.jar}"
[ -f "$PLUGBOARD_JAR" ] || ./mvnw -q -B -DskipTests package
ORT_JAR=$(ls ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/1.29.0/onnxruntime_gpu-1.29.0.jar)

start_server() {
  local port=$1 log=$2
  shift 2
  STORE=$(mktemp -d)
  "$JAVA" -Xmx2g -jar "$PLUGBOARD_JAR" --server.port="$port" --plugboard.store.path="$STORE" \
    --logging.level.root=WARN "$@" > "$log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; rm -rf "$STORE"' EXIT
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/actuator/health/readiness" > /dev/null && return 0
    sleep 1
  done
  echo "the server did not become ready; see $log" >&2
  exit 1
}
