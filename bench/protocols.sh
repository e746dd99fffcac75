#!/usr/bin/env bash
# REST (JSON and binary tensors) and gRPC (raw and typed contents) against ONNX Runtime called
# in-process, in alternating rounds, reporting latency and CPU time per request side by side:
#   - the 4 -> 16 -> 3 MLP at concurrency 1: p50 added over the direct call, and the server's CPU
#     time per request;
#   - the 1x3x64x64 CNN with 4 connections: the direct harness's CPU time per request divided by
#     the server's (1.0 = the server costs nothing beyond the engine).
# CPU time per request is the fair measure on a shared machine whose free CPU swings: the server's
# is read from /proc/<pid>/stat around each point, the direct harness's from its own process.
#   [ROUNDS=3] [SERIES="direct json …"] bench/protocols.sh [seconds-per-point] [server arguments...]
# Writes bench/results/protocols.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
D="${1:-8}"; shift || true
ROUNDS="${ROUNDS:-3}"; PORT=18083; GPORT=18183; OUT=bench/results
mkdir -p "$OUT"
. bench/server.sh
start_server $PORT "$OUT/server-protocols.log" --plugboard.grpc.port=$GPORT "$@"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/mlp.onnx -F name=mlp "http://127.0.0.1:$PORT/v1/models"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/cnn.onnx -F name=cnn "http://127.0.0.1:$PORT/v1/models"

. bench/protocol-load.sh

# warm-up: both JITs compile every path before anything is measured
for series in json binary grpc-raw; do load $PORT $GPORT mlp $series 1 > /dev/null; done
load $PORT $GPORT cnn grpc-raw 2 > /dev/null
echo "round,model,series,p50_us,cpu_us_per_request,requests" | tee "$OUT/protocols.csv"
for r in $(seq 1 "$ROUNDS"); do
  for series in ${SERIES:-direct json binary grpc-raw grpc-typed}; do
    case $series in
      direct) mlp=$(direct mlp 1); cnn=$(direct cnn 4) ;;
      *) mlp=$(served "$SERVER" $PORT $GPORT mlp "$series" 1); cnn=$(served "$SERVER" $PORT $GPORT cnn "$series" 4) ;;
    esac
    echo "$r,mlp,$series,$mlp" | tee -a "$OUT/protocols.csv"
    echo "$r,cnn,$series,$cnn" | tee -a "$OUT/protocols.csv"
  done
done
awk -F, -v series="${SERIES:-direct json binary grpc-raw grpc-typed}" 'NR > 1 { p50[$2, $3] = p50[$2, $3] " " $4; cpu[$2, $3] = cpu[$2, $3] " " $5 }
  function median(list,   n, v, i, j, t) { n = split(list, v, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  END {
    k = split(series, all, " "); n = 0
    for (i = 1; i <= k; i++) if (all[i] != "direct") s[++n] = all[i]
    printf "MLP, concurrency 1 (direct p50 %.0f us, CPU %.1f us/request):\n", median(p50["mlp", "direct"]), median(cpu["mlp", "direct"])
    for (i = 1; i <= n; i++) printf "  %-11s p50 added %5.0f us, server CPU %6.1f us/request\n", s[i],
      median(p50["mlp", s[i]]) - median(p50["mlp", "direct"]), median(cpu["mlp", s[i]])
    printf "CNN 1x3x64x64, 4 connections (direct CPU %.0f us/request):\n", median(cpu["cnn", "direct"])
    for (i = 1; i <= n; i++) printf "  %-11s direct CPU / server CPU per request %.2f (server %.0f us/request, p50 %.0f us)\n", s[i],
      median(cpu["cnn", "direct"]) / median(cpu["cnn", s[i]]), median(cpu["cnn", s[i]]), median(p50["cnn", s[i]])
  }' "$OUT/protocols.csv"
