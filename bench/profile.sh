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
start_server $PORT "$OUT/server-profile.log" --plugboard.grpc.port=$GPORT
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/mlp.onnx -F name=mlp "http://127.0.0.1:$PORT/v1/models"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/cnn.onnx -F name=cnn "http://127.0.0.1:$PORT/v1/models"
. bench/protocol-load.sh
record() { # name, then load's arguments
  local name=$1 seconds=$D; shift
  D=10 load "$@" > /dev/null # warm-up
  "$JAVA_HOME/bin/jcmd" "$SERVER" JFR.start name="$name" settings=profile > /dev/null
  D=$seconds load "$@" > /dev/null
  # the confined server writes only its store and temporary folders: the recording goes to the latter
  local tmp; tmp=$(mktemp -u /tmp/plugboard-profile-XXXXXX.jfr)
  "$JAVA_HOME/bin/jcmd" "$SERVER" JFR.stop name="$name" filename="$tmp" > /dev/null
  mv "$tmp" "$OUT/profile-$name.jfr"
  "$JAVA" bench/JfrTop.java "$OUT/profile-$name.jfr" 12 | tee "$OUT/profile-$name.md"
}
for series in ${SERIES:-mlp-json mlp-grpc cnn-json cnn-grpc}; do
  case $series in
    mlp-json) record mlp-json $PORT $GPORT mlp json 1 ;;
    mlp-grpc) record mlp-grpc $PORT $GPORT mlp grpc-raw 1 ;;
    cnn-json) record cnn-json $PORT $GPORT cnn json 4 ;;
    cnn-grpc) record cnn-grpc $PORT $GPORT cnn grpc-raw 4 ;;
  esac
done
