#!/usr/bin/env bash
# JSON vs binary tensor data for one large image tensor (CNN, FP32 [1,3,64,64] = 48 KiB raw), and
# the direct ONNX Runtime baseline, at one concurrency. Expects a server started by bench/run.sh's
# steps on PORT with the model "cnn" uploaded, or starts one.
#   bench/binary.sh [concurrency] [seconds] [server arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
C="${1:-4}"; D="${2:-5}"; shift $(( $# < 2 ? $# : 2 )); PORT=18080; OUT=bench/results
mkdir -p "$OUT"
. bench/server.sh
start_server $PORT "$OUT/server-binary.log" "$@"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/cnn.onnx -F name=cnn -F instances=2 "http://127.0.0.1:$PORT/v1/models"
awk 'BEGIN { printf "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,3,64,64],\"datatype\":\"FP32\",\"data\":["; for (i = 0; i < 12288; i++) printf "%s%.4f", (i ? "," : ""), (i % 17) / 17; printf "]}]}" }' > "$OUT/cnn.json"
header='{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32","parameters":{"binary_data_size":49152}}],"parameters":{"binary_data_output":true}}'
printf '%s' "$header" > "$OUT/cnn.bin"
# the same values DirectOrt feeds the engine, (i % 17) / 17: random bytes would include
# denormal floats, which slow convolutions down and would not compare like with like
perl -e 'print pack("f<*", map { ($_ % 17) / 17 } 0 .. 12287)' >> "$OUT/cnn.bin"
run() { BODY="$1" PATH_INFER=/v1/models/cnn/infer CONTENT_TYPE="$2" HEADER_LENGTH="${3:-}" \
  wrk -t$(( C < 2 ? 1 : 2 )) -c"$C" -d"${D}s" --latency -s bench/infer.lua "http://127.0.0.1:$PORT" | grep '^CSV'; }
run "$OUT/cnn.json" application/json > /dev/null   # warm-up
run "$OUT/cnn.bin" application/octet-stream "${#header}" > /dev/null
echo "mode,requests,p50_us,p99_us,mean_us,errors,duration_us"
echo "json,$(run "$OUT/cnn.json" application/json | cut -d, -f2-)"
echo "binary,$(run "$OUT/cnn.bin" application/octet-stream "${#header}" | cut -d, -f2-)"
echo "direct,$("$JAVA" -cp "$ORT_JAR" bench/DirectOrt.java src/test/resources/models/onnx/cnn.onnx image 1 3 64 64 -- "$C" "$D" 2>/dev/null | grep '^CSV' | cut -d, -f2-)"
