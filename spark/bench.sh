#!/usr/bin/env bash
# `make bench-spark`: seconds per FQI iteration at 1 million transitions, Spark engine in local[2] against the local
# engine on the same file and settings. Prints a table; figures go to docs/BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
data=datasets/bench-1m.parquet
iterations=${ITERATIONS:-5}
[ -e "$data" ] || bin/batchq collect --episodes 45000 --seed 1 --out "$data" >/dev/null
# The run section comes last in a manifest (diagnostics repeat some names per iteration).
field() { grep -o "\"$1\" : [0-9.eE+-]*" "$2/manifest.json" | tail -1 | awk '{print $3}'; }
run() { # name, extra args...
  local name=$1; shift
  bin/batchq fit "$data" --iterations "$iterations" --seed 1 --out "models/bench-$name" --force "$@" >/dev/null 2>&1
  local m="models/bench-$name"
  awk -v n="$name" -v rows="$(field train_rows "$m")" -v it="$iterations" -v fit="$(field fit_seconds "$m")" \
      -v load="$(field load_seconds "$m")" -v learner="$(field learner_seconds "$m")" 'BEGIN {
    printf "%-14s %10d %10.1f %12.2f %16.0f%%\n", n, rows, load, fit / it, 100 * learner / fit }'
}
printf "%-14s %10s %10s %12s %17s\n" engine train_rows load_s s_per_iter "in learner"
run local --threads 2
run spark-local2 --engine spark --master 'local[2]'
