#!/usr/bin/env bash
# A compute-bound CNN (five 3x3 conv layers at 112x112, ~tens of ms per image on 2 cores) through
# the server with binary tensors vs ONNX Runtime in-process, at concurrency 1, 2 and 4. Server and
# direct points alternate over ROUNDS rounds (env, default 3) so drift on a busy machine hits both
# alike; the median ratio per concurrency is printed last.
#   [ROUNDS=3] bench/compute_bound.sh [seconds] [server arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
D="${1:-10}"; shift || true; PORT=18080; OUT=bench/results
mkdir -p "$OUT"
. bench/server.sh
[ -f bench/models/cnn_large.onnx ] || /usr/bin/python3 bench/make_large_cnn.py bench/models/cnn_large.onnx
start_server $PORT "$OUT/server-compute.log" "$@"
curl -s -o /dev/null -F file=@bench/models/cnn_large.onnx -F name=large -F instances=1 "http://127.0.0.1:$PORT/v1/models"
header='{"inputs":[{"name":"image","shape":[1,3,112,112],"datatype":"FP32","parameters":{"binary_data_size":150528}}],"parameters":{"binary_data_output":true}}'
printf '%s' "$header" > "$OUT/large.bin"
# the same values DirectOrt feeds the engine, (i % 17) / 17: random bytes would include
# denormal floats, which slow convolutions down and would not compare like with like
perl -e 'print pack("f<*", map { ($_ % 17) / 17 } 0 .. 37631)' >> "$OUT/large.bin"
# warm the server up as DirectOrt warms itself (its first 2 s are not measured)
BODY="$OUT/large.bin" PATH_INFER=/v1/models/large/infer CONTENT_TYPE=application/octet-stream HEADER_LENGTH="${#header}" \
  wrk -t1 -c2 -d5s -s bench/infer.lua "http://127.0.0.1:$PORT" > /dev/null
echo "round,concurrency,server_rps,server_p50_us,direct_rps,direct_p50_us,ratio"
for r in $(seq 1 "${ROUNDS:-3}"); do
  for c in 1 2 4; do
    s=$(BODY="$OUT/large.bin" PATH_INFER=/v1/models/large/infer CONTENT_TYPE=application/octet-stream HEADER_LENGTH="${#header}" \
        wrk -t1 -c$c -d"${D}s" --latency -s bench/infer.lua "http://127.0.0.1:$PORT" | grep '^CSV')
    d=$("$JAVA" -cp "$ORT_JAR" bench/DirectOrt.java bench/models/cnn_large.onnx image 1 3 112 112 -- $c "$D" 2>/dev/null | grep '^CSV')
    awk -F, -v r=$r -v c=$c -v s="$s" -v d="$d" 'BEGIN { split(s, a, ","); split(d, b, ",");
      sr = a[2] / (a[7] / 1e6); dr = b[2] / (b[7] / 1e6);
      printf "%d,%d,%.1f,%.0f,%.1f,%.0f,%.2f\n", r, c, sr, a[3], dr, b[3], sr / dr }'
  done
done | tee "$OUT/compute_bound.csv"
awk -F, '{ v[$2] = v[$2] " " $7 } END { for (c in v) { n = split(v[c], x, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    printf "concurrency %s: median ratio %.2f (rounds:%s)\n", c, n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2, v[c] } }' \
  "$OUT/compute_bound.csv" | sort
