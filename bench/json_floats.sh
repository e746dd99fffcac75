#!/usr/bin/env bash
# What a JSON float tensor costs to decode per element, against the floors any decoder pays
# (src/test/java/io/plugboard/bench/JsonFloatsBench.java):
#   bench/json_floats.sh [rounds] [milliseconds-per-point]
set -euo pipefail
cd "$(dirname "$0")/.."
exec bench/test-classpath.sh io.plugboard.bench.JsonFloatsBench "$@"
