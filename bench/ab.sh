#!/usr/bin/env bash
# Compares two builds' request paths: runs bench/overhead.sh on jar A and jar B in alternating
# pairs, so drift on a busy machine hits both alike, and prints each run's medians.
#   bench/ab.sh A.jar B.jar [pairs] [rounds-per-run] [seconds-per-point]
set -euo pipefail
cd "$(dirname "$0")/.."
A="$1"; B="$2"; PAIRS="${3:-2}"; ROUNDS="${4:-3}"; D="${5:-8}"
for p in $(seq 1 "$PAIRS"); do
  for jar in "$A" "$B"; do
    echo "== pair $p: $jar"
    PLUGBOARD_JAR="$jar" bench/overhead.sh "$ROUNDS" "$D" | tail -2
  done
done
