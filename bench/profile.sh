#!/usr/bin/env bash
# Where the server's time goes under bench load: a JFR recording (profile settings) while wrk or the
# gRPC load generator drives one series, then its top frames (bench/JfrTop.java).
#   [SERIES="mlp-json mlp-grpc cnn-json cnn-grpc"] bench/profile.sh [seconds]
#     → bench/results/profile-<series>.jfr and .md
set -euo pipefail
cd "$(dirname "$0")/.."
D="${1:-20}"; PORT=18084; GPORT=18184; OUT=bench/results
mkdir -p "$OUT"
. bench/server.sh
CP_FILE="$OUT/.runtime-classpath"
[ -s "$CP_FILE" ] || ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$CP_FILE"
LOAD_CP="target/classes:$(cat "$CP_FILE")"
start_server $PORT "$OUT/server-profile.log" --plugboard.grpc.port=$GPORT
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/mlp.onnx -F name=mlp "http://127.0.0.1:$PORT/v1/models"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/cnn.onnx -F name=cnn "http://127.0.0.1:$PORT/v1/models"
printf '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[0.1,0.2,0.3,0.4]}]}' > "$OUT/mlp.json"
printf '{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32","data":[%s]}]}' \
  "$(perl -e 'print join(",", map { ($_ % 17) / 17 } 0 .. 12287)')" > "$OUT/cnn.json"
json() { BODY="$OUT/$1.json" PATH_INFER="/v1/models/$1/infer" wrk -t1 -c"$2" -d"$3"s -s bench/infer.lua "http://127.0.0.1:$PORT" > /dev/null; }
grpc() { # model input shape connections seconds
  "$JAVA" -cp "$LOAD_CP" bench/GrpcLoad.java "127.0.0.1:$GPORT" "$1" "$2" "$3" raw "$4" "$5" > /dev/null 2>&1; }
record() { # name, then the load command
  local name=$1; shift
  "$@" 10 # warm-up
  "$JAVA_HOME/bin/jcmd" "$SERVER" JFR.start name="$name" settings=profile > /dev/null
  "$@" "$D"
  # the confined server writes only its store and temporary folders: the recording goes to the latter
  local tmp; tmp=$(mktemp -u /tmp/plugboard-profile-XXXXXX.jfr)
  "$JAVA_HOME/bin/jcmd" "$SERVER" JFR.stop name="$name" filename="$tmp" > /dev/null
  mv "$tmp" "$OUT/profile-$name.jfr"
  "$JAVA" bench/JfrTop.java "$OUT/profile-$name.jfr" 12 | tee "$OUT/profile-$name.md"
}
for series in ${SERIES:-mlp-json mlp-grpc cnn-json cnn-grpc}; do
  case $series in
    mlp-json) record mlp-json json mlp 1 ;;
    mlp-grpc) record mlp-grpc grpc mlp input 1,4 1 ;;
    cnn-json) record cnn-json json cnn 4 ;;
    cnn-grpc) record cnn-grpc grpc cnn image 1,3,64,64 4 ;;
  esac
done
