#!/usr/bin/env bash
# Cold start and upload-to-first-answer with real server processes (src/test/java/io/plugboard/bench/ColdStartBench.java):
#   bench/coldstart.sh [ROUNDS=3]
# JVM start to ready with an empty store and with 20 stored models; a 100 MB ONNX model from the start
# of its upload to its first correct answer. Writes bench/results/coldstart.csv.
exec "$(dirname "$0")/test-classpath.sh" io.plugboard.bench.ColdStartBench bench/results/coldstart.csv "${1:-3}"
