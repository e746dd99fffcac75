#!/usr/bin/env bash
# Per-request overhead on a tiny model at concurrency 1: the MLP (4 -> 16 -> 3) through the server
# (JSON and binary tensors) against ONNX Runtime called in-process, and against the cheapest
# endpoint on the same HTTP stack (GET /v2/health/live). Rounds alternate so drift on a busy
# machine hits every series alike; the medians of the rounds' p50s are printed.
#   bench/overhead.sh [rounds] [seconds-per-point] [server arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"; D="${2:-8}"; shift 2 || shift $# || true
PORT=18082; OUT=bench/results
mkdir -p "$OUT"
. bench/server.sh
start_server $PORT "$OUT/server-overhead.log" "$@"
curl -s -o /dev/null -F file=@src/test/resources/models/onnx/mlp.onnx -F name=mlp "http://127.0.0.1:$PORT/v1/models"

printf '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[0.1,0.2,0.3,0.4]}]}' > "$OUT/mlp-small.json"
header='{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"outputs":[{"name":"probabilities","parameters":{"binary_data":true}}]}'
{ printf '%s' "$header"; perl -e 'print pack("f<*", 0.1, 0.2, 0.3, 0.4)'; } > "$OUT/mlp-small.bin"
printf 'wrk.method = "GET"\n%s\n' "$(sed -n '/^done = /,$p' bench/infer.lua)" > "$OUT/get.lua"

json() { BODY="$OUT/mlp-small.json" PATH_INFER=/v1/models/mlp/infer wrk -t1 -c1 -d"$1s" --latency -s bench/infer.lua "http://127.0.0.1:$PORT"; }
binary() { BODY="$OUT/mlp-small.bin" PATH_INFER=/v1/models/mlp/infer CONTENT_TYPE=application/octet-stream \
  HEADER_LENGTH="${#header}" wrk -t1 -c1 -d"$1s" --latency -s bench/infer.lua "http://127.0.0.1:$PORT"; }
health() { wrk -t1 -c1 -d"$1s" --latency -s "$OUT/get.lua" "http://127.0.0.1:$PORT/v2/health/live"; }
direct() { "$JAVA" -cp "$ORT_JAR" bench/DirectOrt.java src/test/resources/models/onnx/mlp.onnx input 1 4 -- 1 "$1" 2>/dev/null; }
p50() { grep '^CSV' | cut -d, -f3; }

# warm-up: the JIT compiles the request path before anything is measured
json 10 > /dev/null; binary 5 > /dev/null; health 5 > /dev/null
echo "round,direct_p50_us,health_p50_us,json_p50_us,binary_p50_us"
for r in $(seq 1 "$ROUNDS"); do
  echo "$r,$(direct "$D" | p50),$(health "$D" | p50),$(json "$D" | p50),$(binary "$D" | p50)"
done | tee "$OUT/overhead.csv"
awk -F, 'function median(col,   n, i, j, t, v) { n = 0; for (i = 1; i <= NR; i++) v[++n] = rows[i, col];
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  { for (c = 2; c <= 5; c++) rows[NR, c] = $c }
  END { d = median(2); h = median(3); j = median(4); b = median(5);
    printf "median p50 us: direct %.0f, health %.0f, json %.0f, binary %.0f\n", d, h, j, b;
    printf "added over the direct call: json %.0f us, binary %.0f us; over the HTTP floor: json %.0f us, binary %.0f us\n",
      j - d, b - d, j - h, b - h }' "$OUT/overhead.csv"
