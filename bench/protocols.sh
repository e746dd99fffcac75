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
CP_FILE="$OUT/.runtime-classpath"
[ -s "$CP_FILE" ] || ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$CP_FILE"
LOAD_CP="target/classes:$(cat "$CP_FILE")"
start_server $PORT "$OUT/server-protocols.log" --plugboard.grpc.port=$GPORT "$@"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/mlp.onnx -F name=mlp "http://127.0.0.1:$PORT/v1/models"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/cnn.onnx -F name=cnn "http://127.0.0.1:$PORT/v1/models"

# request bodies: the values DirectOrt feeds the engine, (i % 17) / 17
printf '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[%s]}]}' \
  "$(perl -e 'print join(",", map { ($_ % 17) / 17 } 0 .. 3)')" > "$OUT/mlp.json"
mlp_header='{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"parameters":{"binary_data_output":true}}'
{ printf '%s' "$mlp_header"; perl -e 'print pack("f<*", map { ($_ % 17) / 17 } 0 .. 3)'; } > "$OUT/mlp.bin"
printf '{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32","data":[%s]}]}' \
  "$(perl -e 'print join(",", map { ($_ % 17) / 17 } 0 .. 12287)')" > "$OUT/cnn.json"
cnn_header='{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32","parameters":{"binary_data_size":49152}}],"parameters":{"binary_data_output":true}}'
{ printf '%s' "$cnn_header"; perl -e 'print pack("f<*", map { ($_ % 17) / 17 } 0 .. 12287)'; } > "$OUT/cnn.bin"

ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }
HZ=$(getconf CLK_TCK)
# runs a load command; prints p50_us,server_cpu_us_per_request,requests
served() {
  local before after line
  before=$(ticks); line=$("$@" | grep '^CSV'); after=$(ticks)
  awk -F, -v b="$before" -v a="$after" -v hz="$HZ" '{ printf "%s,%.1f,%s\n", $3, (a - b) * 1e6 / hz / $2, $2 }' <<< "$line"
}
wrk_json() { BODY="$OUT/$1.json" PATH_INFER="/v1/models/$1/infer" wrk -t1 -c"$2" -d"$D"s --latency -s bench/infer.lua "http://127.0.0.1:$PORT"; }
wrk_binary() { local h; [ "$1" = mlp ] && h="$mlp_header" || h="$cnn_header"
  BODY="$OUT/$1.bin" PATH_INFER="/v1/models/$1/infer" CONTENT_TYPE=application/octet-stream HEADER_LENGTH="${#h}" \
    wrk -t1 -c"$2" -d"$D"s --latency -s bench/infer.lua "http://127.0.0.1:$PORT"; }
grpc() { local input shape; [ "$1" = mlp ] && { input=input; shape=1,4; } || { input=image; shape=1,3,64,64; }
  "$JAVA" -cp "$LOAD_CP" bench/GrpcLoad.java "127.0.0.1:$GPORT" "$1" "$input" "$shape" "$3" "$2" "$D" 2>/dev/null; }
direct() { local f input dims; [ "$1" = mlp ] && { f=mlp; input=input; dims="1 4"; } || { f=cnn; input=image; dims="1 3 64 64"; }
  # shellcheck disable=SC2086
  "$JAVA" -cp "$ORT_JAR" -DallowSpinning=0 bench/DirectOrt.java "src/test/resources/models/onnx/$f.onnx" "$input" $dims -- "$2" "$D" 2>/dev/null \
    | grep '^CSV' | awk -F, '{ printf "%s,%s,%s\n", $3, $8, $2 }'; }

# warm-up: both JITs compile every path before anything is measured
wrk_json mlp 1 > /dev/null; wrk_binary mlp 1 > /dev/null; grpc mlp 1 raw > /dev/null; grpc cnn 2 raw > /dev/null
echo "round,model,series,p50_us,cpu_us_per_request,requests" | tee "$OUT/protocols.csv"
for r in $(seq 1 "$ROUNDS"); do
  for series in ${SERIES:-direct json binary grpc-raw grpc-typed}; do
    case $series in
      direct) mlp=$(direct mlp 1); cnn=$(direct cnn 4) ;;
      json) mlp=$(served wrk_json mlp 1); cnn=$(served wrk_json cnn 4) ;;
      binary) mlp=$(served wrk_binary mlp 1); cnn=$(served wrk_binary cnn 4) ;;
      grpc-raw) mlp=$(served grpc mlp 1 raw); cnn=$(served grpc cnn 4 raw) ;;
      grpc-typed) mlp=$(served grpc mlp 1 typed); cnn=$(served grpc cnn 4 typed) ;;
    esac
    echo "$r,mlp,$series,$mlp" | tee -a "$OUT/protocols.csv"
    echo "$r,cnn,$series,$cnn" | tee -a "$OUT/protocols.csv"
  done
done
awk -F, 'NR > 1 { p50[$2, $3] = p50[$2, $3] " " $4; cpu[$2, $3] = cpu[$2, $3] " " $5 }
  function median(list,   n, v, i, j, t) { n = split(list, v, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  END {
    split("json binary grpc-raw grpc-typed", s, " ")
    printf "MLP, concurrency 1 (direct p50 %.0f us, CPU %.1f us/request):\n", median(p50["mlp", "direct"]), median(cpu["mlp", "direct"])
    for (i = 1; i <= 4; i++) printf "  %-10s p50 added %5.0f us, server CPU %6.1f us/request\n", s[i],
      median(p50["mlp", s[i]]) - median(p50["mlp", "direct"]), median(cpu["mlp", s[i]])
    printf "CNN 1x3x64x64, 4 connections (direct CPU %.0f us/request):\n", median(cpu["cnn", "direct"])
    for (i = 1; i <= 4; i++) printf "  %-10s direct CPU / server CPU per request %.2f (server %.0f us/request, p50 %.0f us)\n", s[i],
      median(cpu["cnn", "direct"]) / median(cpu["cnn", s[i]]), median(cpu["cnn", s[i]]), median(p50["cnn", s[i]])
  }' "$OUT/protocols.csv"
