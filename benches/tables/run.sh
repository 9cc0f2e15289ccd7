#!/usr/bin/env bash
# Tables end to end: `ambit table` against pandas on a generated project of ~900,000
# codings, side by side, in alternating rounds (the machine is shared: a busy minute hits
# both tools alike), then the 10-million-coding compute benchmark.
#
# Ambit's tables read a snapshot cached in .ambit/tables.snapshot, brought up to date after
# a write by reading again the documents the write changed. The `freq-after-code` row codes
# one passage by hand (`ambit code`, untimed) before each run: the first table after a
# write. The `freq-cold` row deletes the snapshot before each run: a table with no cache.
#
#   benches/tables/run.sh                  # ROUNDS=7 CODINGS=900000
#   ROUNDS=3 benches/tables/run.sh
#   AMBIT=/tmp/ambit-before benches/tables/run.sh   # measure another binary
#   SKIP_10M=1 benches/tables/run.sh
#
# Needs hyperfine (apt-get install hyperfine), Python 3 with pandas (pip install pandas).
# The project goes to $WORK (default /tmp/ambit-tables-bench) and is reused while the
# generator's arguments are the same. Every round runs each command once (hyperfine
# --runs 1) in the same order; the figures are medians over the rounds, wall time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-7}
CODINGS=${CODINGS:-900000}
DOCS=${DOCS:-3000}
SEED=${SEED:-17}
WORK=${WORK:-/tmp/ambit-tables-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
HERE=$ROOT/benches/tables

for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done
python3 -c 'import pandas' || { echo "run.sh: pip install pandas" >&2; exit 1; }

if [[ -z ${AMBIT:-} ]]; then
  echo "== building (release)"
  (cd "$ROOT" && cargo build --release -p ambit --bin ambit)
  AMBIT=$TARGET/release/ambit
fi

mkdir -p "$WORK"
P=$WORK/project
stamp="docs=$DOCS codings=$CODINGS seed=$SEED"
if [[ -f $P.stamp && $(cat "$P.stamp") == "$stamp" ]]; then
  echo "reusing $P ($stamp)"
else
  python3 "$HERE/gen_project.py" "$P" --ambit "$AMBIT" --docs "$DOCS" --codings "$CODINGS" --seed "$SEED"
  echo "$stamp" > "$P.stamp"
fi

echo "== same cells (ambit vs pandas)"
cd "$P"
"$AMBIT" table freq --format csv > "$WORK/ambit-freq.csv"
"$AMBIT" table cooccur --by phase --format csv > "$WORK/ambit-cooccur.csv"
"$AMBIT" table freq --measure per1k --format csv > "$WORK/ambit-per1k.csv"
for t in freq cooccur per1k; do
  python3 "$HERE/pandas_crosstab.py" "$t" "$P" -o "$WORK/pandas-$t.csv"
  printf '%-8s ' "$t"
  python3 "$HERE/compare.py" "$WORK/ambit-$t.csv" "$WORK/pandas-$t.csv"
done

names=(ambit-freq pandas-freq ambit-cooccur pandas-cooccur ambit-per1k pandas-per1k)
cmds=(
  "$AMBIT table freq --format csv"
  "python3 $HERE/pandas_crosstab.py freq $P"
  "$AMBIT table cooccur --by phase --format csv"
  "python3 $HERE/pandas_crosstab.py cooccur $P"
  "$AMBIT table freq --measure per1k --format csv"
  "python3 $HERE/pandas_crosstab.py per1k $P"
)
CODE=$(sed -n 's/^id = "\(.*\)"$/\1/p' codebook.toml | head -n 1)
W=$WORK/project-written
rm -rf "$W" && cp -r "$P" "$W"
echo "== $ROUNDS alternating rounds; load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
rm -f "$WORK"/times-*.txt
for ((r = 1; r <= ROUNDS; r++)); do
  csv=$(mktemp)
  hyperfine --style none --runs 1 --output null --export-csv "$csv" "${cmds[@]}" >/dev/null
  # Columns: command,mean,stddev,median,user,system,min,max; one run each.
  awk -F, 'NR > 1 { print NR - 1, $2, $5 + $6 }' "$csv" | while read -r i wall cpu; do
    echo "$wall $cpu" >> "$WORK/times-${names[$((i - 1))]}.txt"
  done
  rm -f "$csv"
  csv=$(mktemp)
  hyperfine --style none --runs 1 --output null --export-csv "$csv" \
    --prepare "rm -f $P/.ambit/tables.snapshot" "$AMBIT table freq --format csv" >/dev/null
  awk -F, 'NR > 1 { print $2, $5 + $6 }' "$csv" >> "$WORK/times-ambit-freq-cold.txt"
  rm -f "$csv"
  # In a copy of the project (the generated one must keep matching pandas' CSV files): warm
  # the snapshot, then one coding by a coder of this round (a new coding each time).
  "$AMBIT" --project "$W" table freq --format csv >/dev/null
  csv=$(mktemp)
  hyperfine --style none --runs 1 --output null --export-csv "$csv" \
    --prepare "$AMBIT --project $W code D$((r * 7 % DOCS + 1)):1 --code $CODE --coder bench-$r-$(date +%s%N)" \
    "$AMBIT --project $W table freq --format csv" >/dev/null
  awk -F, 'NR > 1 { print $2, $5 + $6 }' "$csv" >> "$WORK/times-ambit-freq-after-code.txt"
  rm -f "$csv"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$W"

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
wall() { cut -d' ' -f1 "$WORK/times-$1.txt" | median; }
cpu() { cut -d' ' -f2 "$WORK/times-$1.txt" | median; }
echo
printf '%-16s %12s %12s %12s %12s %14s %14s\n' table "ambit wall" "pandas wall" "ambit cpu" "pandas cpu" "pandas/ambit" "(cpu)"
for t in freq cooccur per1k freq-after-code freq-cold; do
  base=${t%-cold}
  base=${base%-after-code}
  aw=$(wall "ambit-$t") pw=$(wall "pandas-$base") ac=$(cpu "ambit-$t") pc=$(cpu "pandas-$base")
  awk -v t="$t" -v aw="$aw" -v pw="$pw" -v ac="$ac" -v pc="$pc" 'BEGIN {
    printf "%-16s %10.3f s %10.3f s %10.3f s %10.3f s %13.1fx %13.1fx\n", t, aw, pw, ac, pc, pw / aw, pc / ac }'
done

if [[ -z ${SKIP_10M:-} ]]; then
  echo
  echo "== compute alone, 10 million codings (cargo bench -p ambit-tables --bench freq)"
  (cd "$ROOT" && cargo bench -p ambit-tables --bench freq --no-default-features)
fi
