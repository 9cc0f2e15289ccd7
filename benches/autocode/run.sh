#!/usr/bin/env bash
# Auto-coding throughput of Ambit's matcher against ripgrep on a generated ~1 GB transcript
# corpus, plus the real `ambit autocode` end to end on a smaller imported corpus.
#
#   benches/autocode/run.sh                 # 1024 MiB corpus, 100 MiB end to end
#   SIZE_MB=256 E2E_MB=20 RG_FILES=20 benches/autocode/run.sh
#
# ripgrep 13 needs over 30 CPU-seconds per MiB with this pattern set (see README.md), so by
# default it searches only the first RG_FILES files (about 100 KiB each) of the corpus; set
# RG_FILES=all to give it the whole corpus. Throughputs are per byte, so the ratio holds.
#
# Needs ripgrep and hyperfine (Debian: apt-get install ripgrep hyperfine). Corpora go to $WORK
# (default /tmp/ambit-autocode-bench) and are reused when the size and seed match.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIZE_MB=${SIZE_MB:-1024}
E2E_MB=${E2E_MB:-100}
SEED=${SEED:-5}
RUNS=${RUNS:-3}
RG_FILES=${RG_FILES:-20}
WORK=${WORK:-/tmp/ambit-autocode-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release
EX=$BIN/examples

for tool in rg hyperfine; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done

echo "== building (release)"
(cd "$ROOT" && cargo build --release -p ambit-coding \
  --example gen_corpus --example rg_patterns --example bench_autocode)
(cd "$ROOT" && cargo build --release -p ambit --bin ambit)

mkdir -p "$WORK"

# Generates corpus $1 of $2 MiB unless a previous run left the same one.
corpus() {
  local dir=$1 size=$2 stamp="size=$2 seed=$SEED"
  if [[ -f $dir.stamp && $(cat "$dir.stamp") == "$stamp" ]]; then
    echo "reusing $dir ($stamp)"
  else
    rm -rf "$dir"
    "$EX/gen_corpus" "$dir" "$size" --seed "$SEED"
    echo "$stamp" > "$dir.stamp"
  fi
}

echo "== corpus"
corpus "$WORK/corpus" "$SIZE_MB"
"$EX/rg_patterns" > "$WORK/patterns.txt"
"$EX/rg_patterns" --ascii-boundaries > "$WORK/patterns-ascii.txt"
BYTES=$(cat "$WORK"/corpus/*.txt | wc -c)
echo "$(ls "$WORK/corpus" | wc -l) files, $BYTES bytes, $(wc -l < "$WORK/patterns.txt") patterns"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

# Best-of-$RUNS wall time of a command, in seconds, via hyperfine (one warm-up run fills the
# page cache, so ripgrep reads from memory as Ambit does).
best() {
  local csv
  csv=$(mktemp)
  hyperfine --style basic --warmup 1 --runs "$RUNS" --export-csv "$csv" -- "$1" >&2
  awk -F, 'NR == 2 { print $7 }' "$csv"
  rm -f "$csv"
}

mibs() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

echo "== ambit matcher, in memory (all passages loaded first; only matching is timed)"
AMBIT_PAR=$("$EX/bench_autocode" "$WORK/corpus" --repeat "$RUNS" | awk '{ sub("seconds=", "", $3); print $3 }')
AMBIT_SEQ=$("$EX/bench_autocode" "$WORK/corpus" --repeat "$RUNS" --sequential | awk '{ sub("seconds=", "", $3); print $3 }')

echo "== ripgrep"
cd "$WORK"
RG_DIR=corpus
if [[ $RG_FILES != all ]]; then
  RG_DIR=rg-subset
  rm -rf "$RG_DIR" && mkdir "$RG_DIR"
  files=(corpus/*.txt)
  for f in "${files[@]:0:$RG_FILES}"; do ln "$f" "$RG_DIR/"; done
fi
RG_BYTES=$(cat "$RG_DIR"/*.txt | wc -c)
echo "ripgrep searches $RG_DIR: $RG_BYTES bytes"
RG_PAR=$(best "rg -c -f patterns.txt $RG_DIR")
RG_SEQ=$(best "rg -j1 -c -f patterns.txt $RG_DIR")
RG_ASCII=$(best "rg -c -f patterns-ascii.txt $RG_DIR")
rgmibs() { awk -v b="$RG_BYTES" -v s="$1" 'BEGIN { printf "%.2f", b / 1048576 / s }'; }

echo
echo "== results (best of $RUNS; MiB/s = bytes searched / wall time)"
printf '%-44s %10s s %10s MiB/s\n' \
  "ambit Matcher::run (all cores)" "$AMBIT_PAR" "$(mibs "$AMBIT_PAR")" \
  "ambit Matcher::run_sequential (1 thread)" "$AMBIT_SEQ" "$(mibs "$AMBIT_SEQ")" \
  "rg -c -f patterns.txt (all cores)" "$RG_PAR" "$(rgmibs "$RG_PAR")" \
  "rg -j1 -c -f patterns.txt (1 thread)" "$RG_SEQ" "$(rgmibs "$RG_SEQ")" \
  "rg -c -f patterns-ascii.txt (ASCII \\b)" "$RG_ASCII" "$(rgmibs "$RG_ASCII")"
ratio() { awk -v a="$(mibs "$1")" -v b="$(rgmibs "$2")" 'BEGIN { printf "%.1f", a / b }'; }
echo "throughput ambit/rg, all cores: $(ratio "$AMBIT_PAR" "$RG_PAR")x   one thread: $(ratio "$AMBIT_SEQ" "$RG_SEQ")x   vs ASCII-\\b rg: $(ratio "$AMBIT_PAR" "$RG_ASCII")x"

echo
echo "== ambit autocode end to end on $E2E_MB MiB"
corpus "$WORK/e2e-corpus" "$E2E_MB"
AMBIT=$BIN/ambit
PROJECT=$WORK/e2e-project
rm -rf "$PROJECT"
"$AMBIT" init "$PROJECT" --name "autocode bench" >/dev/null
start=$(date +%s.%N)
"$AMBIT" --project "$PROJECT" add "$WORK/e2e-corpus" --kind workshop --date 2013-03-20 >/dev/null
echo "ambit add: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
"$AMBIT" --project "$PROJECT" codebook init --template ambidexterity >/dev/null
start=$(date +%s.%N)
"$AMBIT" --project "$PROJECT" autocode > "$WORK/e2e-autocode.txt"
echo "ambit autocode (first run, writes the codings): $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
tail -n 3 "$WORK/e2e-autocode.txt"
AUTO=$(best "$AMBIT --project $PROJECT autocode")
echo "ambit autocode (re-run: nothing changed, nothing written): best $AUTO s"
DRY=$(best "$AMBIT --project $PROJECT autocode --dry-run")
echo "ambit autocode --dry-run: best $DRY s"

# Issue 17's reference: ripgrep's plain keyword scan of the same corpus with the codebook's
# keywords and phrases (no regexes, no `near`, no vetoes), the near-limit for rules that are
# mostly keywords. Target: `ambit autocode` end to end at most twice its time.
"$EX/rg_patterns" --keywords > "$WORK/keywords.txt"
RG_KW=$(best "rg -c -i -w -f $WORK/keywords.txt $WORK/e2e-corpus")
echo "rg -c -i -w -f keywords.txt ($(wc -l < "$WORK/keywords.txt") keywords): best $RG_KW s"
echo "ratio autocode re-run / rg keyword scan: $(awk -v a="$AUTO" -v b="$RG_KW" 'BEGIN { printf "%.2f", a / b }')"
