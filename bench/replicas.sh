#!/usr/bin/env bash
# The shared store measured with real server processes (src/test/java/io/plugboard/bench/ReplicaBench.java):
#   bench/replicas.sh [ROUNDS=5]
# 201 on one replica to the first correct answer on another (1 MB and 100 MB models; asked at once,
# and unasked until the next poll), and a fresh replica's start-up against 50 stored models.
# Writes bench/results/replicas.csv.
exec "$(dirname "$0")/test-classpath.sh" io.plugboard.bench.ReplicaBench bench/results/replicas.csv "${1:-5}"
