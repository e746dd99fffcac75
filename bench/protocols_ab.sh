#!/usr/bin/env bash
# Two builds side by side: both servers run at once and take the same load in alternating order
# each round (A then B, then B then A), so the machine's drift hits both alike. Per protocol it
# reports the MLP's p50 and server CPU per request (concurrency 1) and the CNN's direct-engine
# CPU ÷ server CPU per request (4 connections), as bench/protocols.sh does for one build.
#   [ROUNDS=4] [WARM=20] [CNN_CONNECTIONS=4] [SERIES="json binary grpc-raw grpc-typed"] bench/protocols_ab.sh A.jar B.jar [seconds-per-point]
# Series grpc-live sends ServerLive (the floor of a gRPC round trip) in place of ModelInfer.
# A_JVM / B_JVM add JVM options to one server (the same jar twice compares two settings).
# Writes bench/results/protocols-ab.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
A_JAR="$1"; B_JAR="$2"; D="${3:-5}"
ROUNDS="${ROUNDS:-4}"; OUT=bench/results
mkdir -p "$OUT"
. bench/server.sh
declare -A PID HTTP GRPC
STORES=()
cleanup() { for s in A B; do [ -n "${PID[$s]:-}" ] && kill "${PID[$s]}" 2>/dev/null; done; rm -rf "${STORES[@]}"; }
trap cleanup EXIT
launch() { # name jar http-port grpc-port
  local store; store=$(mktemp -d); STORES+=("$store")
  local jvm="${1}_JVM"
  # shellcheck disable=SC2086
  "$JAVA" -Xmx2g ${!jvm:-} -jar "$2" --server.port="$3" --plugboard.grpc.port="$4" --plugboard.store.path="$store" \
    --logging.level.root=WARN > "$OUT/server-ab-$1.log" 2>&1 &
  PID[$1]=$!; HTTP[$1]=$3; GRPC[$1]=$4
}
launch A "$A_JAR" 18084 18184
launch B "$B_JAR" 18085 18185
for s in A B; do
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:${HTTP[$s]}/actuator/health/readiness" > /dev/null && break
    sleep 1
  done
  for m in mlp cnn; do
    curl -sf -o /dev/null -F file=@src/test/resources/models/onnx/$m.onnx -F name=$m "http://127.0.0.1:${HTTP[$s]}/v1/models"
  done
done

. bench/protocol-load.sh

SERIES="${SERIES:-json binary grpc-raw grpc-typed}"
# warm-up: the JIT compiler is still busy for the first 20-30 s of load, and its CPU counts
for s in A B; do for series in $SERIES; do
  D="${WARM:-20}" load "${HTTP[$s]}" "${GRPC[$s]}" mlp "$series" 1 > /dev/null
  D="${WARM:-20}" load "${HTTP[$s]}" "${GRPC[$s]}" cnn "$series" "${CNN_CONNECTIONS:-4}" > /dev/null
done; done
echo "round,build,model,series,p50_us,cpu_us_per_request,requests" | tee "$OUT/protocols-ab.csv"
for r in $(seq 1 "$ROUNDS"); do
  echo "$r,-,mlp,direct,$(direct mlp 1)" | tee -a "$OUT/protocols-ab.csv"
  echo "$r,-,cnn,direct,$(direct cnn 4)" | tee -a "$OUT/protocols-ab.csv"
  order="A B"; [ $((r % 2)) -eq 0 ] && order="B A"
  for series in $SERIES; do
    for s in $order; do
      echo "$r,$s,mlp,$series,$(served "${PID[$s]}" "${HTTP[$s]}" "${GRPC[$s]}" mlp "$series" 1)" | tee -a "$OUT/protocols-ab.csv"
      echo "$r,$s,cnn,$series,$(served "${PID[$s]}" "${HTTP[$s]}" "${GRPC[$s]}" cnn "$series" "${CNN_CONNECTIONS:-4}")" | tee -a "$OUT/protocols-ab.csv"
    done
  done
done
awk -F, 'NR > 1 { k = $2 SUBSEP $3 SUBSEP $4; p50[k] = p50[k] " " $5; cpu[k] = cpu[k] " " $6 }
  function median(list,   n, v, i, j, t) { n = split(list, v, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
  END {
    n = split(series, s, " ")
    dm = median(p50["-", "mlp", "direct"]); dc = median(cpu["-", "cnn", "direct"])
    printf "direct: MLP p50 %.0f us, CPU %.1f us/request; CNN CPU %.0f us/request\n", dm, median(cpu["-", "mlp", "direct"]), dc
    printf "%-10s %5s %16s %16s %14s %14s\n", "series", "build", "MLP p50 added", "MLP CPU us/req", "CNN direct/srv", "CNN CPU us/req"
    for (i = 1; i <= n; i++) for (b = 0; b < 2; b++) { x = b ? "B" : "A"
      printf "%-10s %5s %16.0f %16.1f %14.2f %14.0f\n", s[i], x, median(p50[x, "mlp", s[i]]) - dm,
        median(cpu[x, "mlp", s[i]]), dc / median(cpu[x, "cnn", s[i]]), median(cpu[x, "cnn", s[i]]) }
  }' series="$SERIES" "$OUT/protocols-ab.csv"
