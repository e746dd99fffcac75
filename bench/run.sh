#!/usr/bin/env bash
# Throughput and latency of Plugboard vs ONNX Runtime called directly in-process, on the same
# models: a tiny MLP (per-request overhead) and a compute-bound CNN, batching on and off,
# concurrency 1..64. Writes bench/results/results.csv, bench/results/throughput.png and prints the
# table used in docs/benchmarks.md.
#
#   bench/run.sh [seconds-per-point]        (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-5}"
PORT=18080
OUT=bench/results
mkdir -p "$OUT"

. bench/server.sh
start_server $PORT "$OUT/server.log"

upload() { # name model extra-fields...
  local name=$1 model=$2; shift 2
  local args=(-s -o /dev/null -w '%{http_code}' -F "file=@src/test/resources/models/onnx/$model.onnx" -F "name=$name")
  for f in "$@"; do args+=(-F "$f"); done
  [ "$(curl "${args[@]}" "http://127.0.0.1:$PORT/v1/models")" = 201 ] || { echo "upload $name failed" >&2; exit 1; }
}
upload mlp mlp instances=2 queueCapacity=1024
upload mlp-batched mlp instances=1 queueCapacity=1024 maxBatchSize=64 maxQueueDelayMs=1
upload cnn cnn instances=2 queueCapacity=1024
upload cnn-batched cnn instances=1 queueCapacity=1024 maxBatchSize=16 maxQueueDelayMs=2

body() { # name shape-json element-count
  local data
  data=$(awk -v n="$3" 'BEGIN { for (i = 0; i < n; i++) printf "%s%.4f", (i ? "," : ""), (i % 17) / 17 }')
  printf '{"inputs":[{"name":"%s","shape":%s,"datatype":"FP32","data":[%s]}]}' "$1" "$2" "$data" > "$OUT/$4.json"
}
body input '[1,4]' 4 mlp
body image '[1,3,64,64]' 12288 cnn

# warm-up: the JIT compiles the request path of every series before the first measured point
for series in mlp mlp-batched cnn cnn-batched; do
  BODY="$OUT/${series%-batched}.json" PATH_INFER="/v1/models/$series/infer" \
    wrk -t2 -c4 -d4s -s bench/infer.lua "http://127.0.0.1:$PORT" > /dev/null
done

echo "series,concurrency,requests_per_s,p50_us,p99_us" > "$OUT/results.csv"
point() { # series concurrency csv-line
  IFS=, read -r _ requests p50 p99 _ _ duration <<< "$3"
  rps=$(awk -v r="$requests" -v d="$duration" 'BEGIN { printf "%.1f", r / (d / 1000000) }')
  echo "$1,$2,$rps,$p50,$p99" | tee -a "$OUT/results.csv"
}
for c in 1 2 4 8 16 32 64; do
  threads=$(( c < 2 ? 1 : 2 ))
  for series in mlp mlp-batched cnn cnn-batched; do
    model=${series%-batched}
    line=$(BODY="$OUT/$model.json" PATH_INFER="/v1/models/$series/infer" \
      wrk -t$threads -c$c -d"${DURATION}s" --latency -s bench/infer.lua "http://127.0.0.1:$PORT" | grep '^CSV')
    point "server-$series" $c "$line"
  done
  point direct-mlp $c "$("$JAVA" -cp "$ORT_JAR" bench/DirectOrt.java src/test/resources/models/onnx/mlp.onnx input 1 4 -- $c "$DURATION" 2>/dev/null | grep '^CSV')"
  point direct-cnn $c "$("$JAVA" -cp "$ORT_JAR" bench/DirectOrt.java src/test/resources/models/onnx/cnn.onnx image 1 3 64 64 -- $c "$DURATION" 2>/dev/null | grep '^CSV')"
done
"$JAVA" bench/Chart.java "$OUT/results.csv" "$OUT/throughput.png"
column -s, -t "$OUT/results.csv"
