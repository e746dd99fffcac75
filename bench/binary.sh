#!/usr/bin/env bash
# JSON vs binary tensor data for one large image tensor (CNN, FP32 [1,3,64,64] = 48 KiB raw), and
# the direct ONNX Runtime baseline, at one concurrency. Expects a server started by bench/run.sh's
# steps on PORT with the model "cnn" uploaded, or starts one.
#   bench/binary.sh [concurrency] [seconds] [server arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
C="${1:-4}"; D="${2:-5}"; shift 2 || true; PORT=18080; OUT=bench/results
mkdir -p "$OUT"
. tools/select-jdk.sh
select_jdk
[ -f target/plugboard-0.1.0-SNAPSHOT.jar ] || ./mvnw -q -B -DskipTests package
STORE=$(mktemp -d)
"$JAVA_HOME/bin/java" -Xmx2g -jar target/plugboard-0.1.0-SNAPSHOT.jar --server.port=$PORT --plugboard.store.path="$STORE" \
  --logging.level.root=WARN "$@" > "$OUT/server-binary.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$STORE"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null && break; sleep 1; done
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
ORT_JAR=$(ls ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/1.29.0/onnxruntime_gpu-1.29.0.jar)
echo "direct,$("$JAVA_HOME/bin/java" -cp "$ORT_JAR" bench/DirectOrt.java src/test/resources/models/onnx/cnn.onnx image 1 3 64 64 -- "$C" "$D" 2>/dev/null | grep '^CSV' | cut -d, -f2-)"
