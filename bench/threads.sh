#!/usr/bin/env bash
# Where the server's CPU time per request goes, by thread group, for one model and series at a
# time: request threads (virtual-thread carriers), Tomcat's poller, gRPC's event loops, the
# model's engine threads, the JIT compilers, GC. Each point is warmed up for WARM seconds first
# (the JIT compilers stay busy for the first 20-30 s of load, and their time counts against the
# server), then measured in ROUNDS rounds of the given seconds; per-thread CPU is read from
# /proc/<pid>/task/*/stat around each round.
#   [ROUNDS=3] [WARM=30] bench/threads.sh [seconds] MODEL:SERIES:CONNECTIONS... [-- server arguments]
#   e.g. bench/threads.sh 5 cnn:grpc-raw:4 cnn:binary:4 mlp:json:1 mlp:health:1
# Series as in bench/protocol-load.sh, plus health (GET /v2/health/live: the HTTP floor).
set -euo pipefail
cd "$(dirname "$0")/.."
D="${1:-5}"; shift || true
POINTS=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do POINTS+=("$1"); shift; done
[ $# -gt 0 ] && shift
PORT=18086; GPORT=18186; OUT=bench/results
mkdir -p "$OUT"
. bench/server.sh
start_server $PORT "$OUT/server-threads.log" --plugboard.grpc.port=$GPORT "$@"
for m in mlp cnn; do
  curl -s -o /dev/null -F file=@src/test/resources/models/onnx/$m.onnx -F name=$m "http://127.0.0.1:$PORT/v1/models"
done
. bench/protocol-load.sh

# CPU ticks per thread group: a thread's name up to its first digit, '-' or '#'
groups() {
  local f name
  for f in /proc/"$SERVER"/task/*; do
    name=$(cat "$f/comm" 2>/dev/null) || continue
    awk -v n="${name%%[-#0-9 ]*}" '{ print n, $14 + $15 }' "$f/stat" 2>/dev/null || true
  done | awk '{ t[$1] += $2 } END { for (k in t) print k, t[k] }' | sort
}
point() { # model series connections → the load generator's CSV line
  if [ "$2" = health ]; then
    wrk -t1 -c"$3" -d"$D"s --latency "http://127.0.0.1:$PORT/v2/health/live" | awk '
      /requests in/ { n = $1 } / 50%/ { p = $2; u = p ~ /ms$/ ? 1000 : 1; sub(/[mu]s$/, "", p); p50 = p * u }
      END { printf "CSV,%d,%s\n", n, p50 }'
  else
    load $PORT $GPORT "$1" "$2" "$3" | grep '^CSV'
  fi
}
for p in "${POINTS[@]}"; do
  IFS=: read -r m series c <<< "$p"
  D="${WARM:-30}" point "$m" "$series" "$c" > /dev/null
done
for r in $(seq 1 "${ROUNDS:-3}"); do
  for p in "${POINTS[@]}"; do
    IFS=: read -r m series c <<< "$p"
    groups > "$OUT/.threads-before"; before=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
    line=$(point "$m" "$series" "$c")
    groups > "$OUT/.threads-after"; after=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
    n=$(cut -d, -f2 <<< "$line")
    printf '%s round %s: %s requests, p50 %s µs; server CPU µs per request %s, by thread group: ' "$p" "$r" "$n" \
      "$(cut -d, -f3 <<< "$line")" "$(awk -v d=$((after - before)) -v n="$n" -v hz="$HZ" 'BEGIN { printf "%.0f", d * 1e6 / hz / n }')"
    # threads that ended during the round (virtual-thread carriers, pool threads) are in the total only
    join -a2 -e0 -o 0,1.2,2.2 "$OUT/.threads-before" "$OUT/.threads-after" \
      | awk -v n="$n" -v hz="$HZ" '{ d = ($3 - $2) * 1e6 / hz / n; if (d >= 1) printf "%s %.0f  ", $1, d } END { print "" }'
  done
done
