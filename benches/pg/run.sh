#!/usr/bin/env bash
# The team-store benchmark: SQLite against PostgreSQL over loopback (127.0.0.1).
#
#   benches/pg/run.sh                       # store level, then end to end
#   E2E=0 benches/pg/run.sh                 # store level only (no release build of `ambit`)
#   PG=postgres://user@host/db benches/pg/run.sh   # an existing server instead of a new cluster
#
# Store level (`crates/store/examples/bench_store.rs`): 400,000 rule codings written in one
# transaction (what `ambit autocode` writes), every passage and coding read as columns (what
# `ambit table freq` reads), and one manual coding on a new connection (what one `ambit code`
# does besides starting the process). End to end: the real binary on a generated project
# whose auto-coding makes 400,000 codings: `ambit autocode`, `ambit table freq`, and 50 ×
# `ambit code`. Without PG, a throw-away cluster is started as in CI (.ci/pg.sh; as root).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
E2E=${E2E:-1}
WORK=${WORK:-/tmp/ambit-pg-bench}

if [[ -z ${PG:-} ]]; then
  # shellcheck source=../../.ci/pg.sh
  source "$ROOT/.ci/pg.sh"
  pg_start
  PG=$AMBIT_TEST_PG
fi

echo "== building (release)"
(cd "$ROOT" && cargo build --release -p ambit-store --example bench_store)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

echo "== store level: SQLite"
"$TARGET/release/examples/bench_store"
echo "== store level: PostgreSQL"
"$TARGET/release/examples/bench_store" "$PG"

[[ $E2E == 1 ]] || exit 0
(cd "$ROOT" && cargo build --release -p ambit --bin ambit)
AMBIT=$TARGET/release/ambit
rm -rf "$WORK" && mkdir -p "$WORK"

# 8 codes whose rules code every turn × 50,000 turns = 400,000 rule codings.
fill() {
  local dir=$1
  {
    printf '[codebook]\nname = "Bench"\n'
    for c in kb c1 c2 c3 c4 c5 c6 c7; do
      printf '\n[[code]]\nid = "%s"\nname = "%s"\n  [[code.rule]]\n  id = "%s.order"\n  keywords = ["order"]\n' "$c" "$c" "$c"
    done
  } > "$dir/codebook.toml"
  for d in $(seq 1 50); do
    for t in $(seq 1 1000); do
      printf 'Päivi: order %s-%s came late again, so we re-typed it.\n\n' "$d" "$t"
    done > "$dir/interview$d.txt"
  done
  (cd "$dir" && "$AMBIT" add interview*.txt >/dev/null)
}

seconds() {
  local s e
  s=$(date +%s%N)
  "$@" >/dev/null
  e=$(date +%s%N)
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}

for backend in sqlite pg; do
  dir=$WORK/$backend
  if [[ $backend == sqlite ]]; then
    "$AMBIT" init "$dir" --name bench >/dev/null
  else
    "$AMBIT" init "$dir" --name bench --store "$PG?project=bench_e2e_$$" >/dev/null
  fi
  fill "$dir"
  cd "$dir"
  echo "== end to end: $backend"
  echo "ambit autocode (400,000 codings): $(seconds "$AMBIT" autocode) s"
  echo "ambit autocode again (replaces them): $(seconds "$AMBIT" autocode) s"
  echo "ambit table freq (first: builds the snapshot): $(seconds "$AMBIT" table freq) s"
  echo "ambit table freq (again): $(seconds "$AMBIT" table freq) s"
  start=$(date +%s%N)
  for i in $(seq 1 50); do
    "$AMBIT" code D1 --code kb --span "$i..$((i + 3))" --coder ann >/dev/null
  done
  end=$(date +%s%N)
  echo "ambit code, mean of 50: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e6 / 50 }') ms"
  cd "$ROOT"
done
rm -rf "$WORK"
