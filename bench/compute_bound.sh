#!/usr/bin/env bash
# A compute-bound CNN (five 3x3 conv layers at 112x112, ~tens of ms per image on 2 cores) through
# the server with binary tensors vs ONNX Runtime in-process, at concurrency 1, 2 and 4. Server and
# direct points alternate over ROUNDS rounds (env, default 5) so drift on a busy machine hits both
# alike; the median ratio per concurrency is printed last. Each round also prints the engine call's
# mean time inside the server (plugboard_instance_busy_seconds) next to the direct harness's mean.
#   [ROUNDS=5] bench/compute_bound.sh [seconds] [server arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
D="${1:-10}"; shift || true; PORT=18080; OUT=bench/results
mkdir -p "$OUT"
. bench/server.sh
[ -f bench/models/cnn_large.onnx ] || /usr/bin/python3 bench/make_large_cnn.py bench/models/cnn_large.onnx
start_server $PORT "$OUT/server-compute.log" "$@"
curl -s -o /dev/null -F file=@bench/models/cnn_large.onnx -F name=large -F instances=1 "http://127.0.0.1:$PORT/v1/models"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/cnn.onnx -F name=warm "http://127.0.0.1:$PORT/v1/models"
header='{"inputs":[{"name":"image","shape":[1,3,112,112],"datatype":"FP32","parameters":{"binary_data_size":150528}}],"parameters":{"binary_data_output":true}}'
printf '%s' "$header" > "$OUT/large.bin"
# the same values DirectOrt feeds the engine, (i % 17) / 17: random bytes would include
# denormal floats, which slow convolutions down and would not compare like with like
perl -e 'print pack("f<*", map { ($_ % 17) / 17 } 0 .. 37631)' >> "$OUT/large.bin"
# Warm-up. The request path is shared by every model, so a running server has it compiled; at
# ~25 requests/s the large CNN alone would leave it interpreted for minutes (measured: ~2.8 ms of
# request-thread CPU per request cold, under 1 ms compiled). Tens of thousands of requests of the
# light CNN through the same binary path compile it, then the large CNN runs for 5 s as DirectOrt
# warms itself for 2 s.
small='{"inputs":[{"name":"image","shape":[1,3,64,64],"datatype":"FP32","parameters":{"binary_data_size":49152}}],"parameters":{"binary_data_output":true}}'
{ printf '%s' "$small"; perl -e 'print pack("f<*", map { ($_ % 17) / 17 } 0 .. 12287)'; } > "$OUT/warm.bin"
BODY="$OUT/warm.bin" PATH_INFER=/v1/models/warm/infer CONTENT_TYPE=application/octet-stream HEADER_LENGTH="${#small}" \
  wrk -t1 -c2 -d20s -s bench/infer.lua "http://127.0.0.1:$PORT" > /dev/null
BODY="$OUT/large.bin" PATH_INFER=/v1/models/large/infer CONTENT_TYPE=application/octet-stream HEADER_LENGTH="${#header}" \
  wrk -t1 -c2 -d5s -s bench/infer.lua "http://127.0.0.1:$PORT" > /dev/null
# sets E: the mean engine call inside the server since the last call, in ms
busy_sum=0; busy_count=0
engine_ms() {
  local m; m=$(curl -s "http://127.0.0.1:$PORT/actuator/prometheus" | awk '/^plugboard_instance_busy_seconds_sum.*model="large"/ {s = $2}
    /^plugboard_instance_busy_seconds_count.*model="large"/ {c = $2} END {print s, c}')
  E=$(awk -v m="$m" -v s0="$busy_sum" -v c0="$busy_count" 'BEGIN { split(m, x, " "); printf "%.1f", (x[1] - s0) / (x[2] - c0) * 1000 }')
  busy_sum=${m% *}; busy_count=${m#* }
}
engine_ms
echo "round,concurrency,server_rps,server_p50_us,direct_rps,direct_p50_us,ratio,server_engine_ms,direct_mean_ms"
for r in $(seq 1 "${ROUNDS:-5}"); do
  for c in 1 2 4; do
    s=$(BODY="$OUT/large.bin" PATH_INFER=/v1/models/large/infer CONTENT_TYPE=application/octet-stream HEADER_LENGTH="${#header}" \
        wrk -t1 -c$c -d"${D}s" --latency -s bench/infer.lua "http://127.0.0.1:$PORT" | grep '^CSV')
    engine_ms
    d=$("$JAVA" -cp "$ORT_JAR" bench/DirectOrt.java bench/models/cnn_large.onnx image 1 3 112 112 -- $c "$D" 2>/dev/null | grep '^CSV')
    awk -F, -v r=$r -v c=$c -v s="$s" -v d="$d" -v e="$E" 'BEGIN { split(s, a, ","); split(d, b, ",");
      sr = a[2] / (a[7] / 1e6); dr = b[2] / (b[7] / 1e6);
      printf "%d,%d,%.1f,%.0f,%.1f,%.0f,%.2f,%s,%.1f\n", r, c, sr, a[3], dr, b[3], sr / dr, e, b[5] / 1000 }'
  done
done | tee "$OUT/compute_bound.csv"
awk -F, '{ v[$2] = v[$2] " " $7 } END { for (c in v) { n = split(v[c], x, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    printf "concurrency %s: median ratio %.2f (rounds:%s)\n", c, n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2, v[c] } }' \
  "$OUT/compute_bound.csv" | sort
