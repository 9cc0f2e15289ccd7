#!/usr/bin/env bash
# REFI-QDA export and import of a large project: 1,000 documents (100 MB of text) and
# 500,000 codings by default. Prints seconds (timed in process, around the one call) and
# peak memory (maximum resident set size from /usr/bin/time -v) for each step.
#
#   benches/qdpx/run.sh                       # DOCS=1000 MB=100 CODINGS=500000
#   DOCS=100 MB=10 CODINGS=50000 benches/qdpx/run.sh
#
# Needs GNU time (Debian: apt-get install time). The archive goes to $WORK
# (default /tmp/ambit-qdpx-bench).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCS=${DOCS:-1000}
MB=${MB:-100}
CODINGS=${CODINGS:-500000}
SEED=${SEED:-7}
WORK=${WORK:-/tmp/ambit-qdpx-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/examples/qdpx_bench

[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time (GNU time) is not installed" >&2; exit 1; }

echo "== building (release)"
(cd "$ROOT" && cargo build --release -p ambit-qdpx --example qdpx_bench)
mkdir -p "$WORK"
FILE=$WORK/bench.qdpx

# Runs the benchmark binary under GNU time; prints its own lines and the peak memory.
measure() {
  local label=$1; shift
  local log=$WORK/time.log
  /usr/bin/time -v "$BIN" "$@" 2>"$log"
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  printf '%-28s peak RSS %7.1f MB, process wall %s\n' "$label" "$(echo "$rss / 1024" | bc -l)" "$wall"
}

ARGS=(--docs "$DOCS" --mb "$MB" --codings "$CODINGS" --seed "$SEED")
echo "== model only (the baseline the export's memory includes)"
measure "model only" export "$FILE" "${ARGS[@]}" --model-only
echo "== export"
measure "export" export "$FILE" "${ARGS[@]}"
echo "== import (with every selection's text in the report, as --dry-run shows it)"
measure "import" import "$FILE"
echo "== import (report without selection texts)"
measure "import --no-texts" import "$FILE" --no-texts
