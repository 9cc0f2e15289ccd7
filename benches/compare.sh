#!/usr/bin/env bash
# Issue 17's side-by-side comparison in one run, on generated corpora with fixed seeds:
# Ambit against the tool a researcher would otherwise use, each pair in alternating rounds
# (benches/search/alternate.py: medians of wall and CPU time, peak RSS per command), and
# a Markdown report (default benches/RESULTS.md).
#
#   benches/compare.sh WORKDIR [--autocode-mb N] [--ingest-mb N] [--small-mb N]
#                      [--passages N] [--codings N] [--docs N] [--rounds N]
#                      [--cold-build] [--skip autocode,ingest,search,tables,web] [--out FILE]
#                      [--bin DIR]   (DIR/ambit, gen_corpus, rg_patterns from an earlier run: no build)
#
# Defaults are small (a run takes a few minutes on 2 cores): --autocode-mb 20 --ingest-mb 40
# --small-mb 5 --passages 100000 --codings 50000 --docs 300 --rounds 3. Issue 17's sizes:
# --autocode-mb 210 --ingest-mb 1024 --small-mb 21 --passages 1000000 --codings 864538
# --docs 3000 (about 6 GB in WORKDIR).
#
#   autocode  `ambit autocode` (bundled codebook, codings written) vs
#             `rg -c -i -w -f keywords.txt` (the codebook's keywords and phrases)
#   ingest    `ambit add` + `ambit index`, files of 100 KB, vs benches/ingest/fts5_loader.py;
#             many 2 KB files vs the same bytes in 2 MB files (both tools, and `add` alone)
#   search    `ambit search '"delivery technician"'` top 20 and --count, with and without
#             --phase I2, vs sqlite3 FTS5 on the same passages
#   tables    benches/tables/run.sh (ambit table freq / cooccur --by phase / --measure per1k
#             vs pandas), its own alternating rounds
#   web       benches/web/run.sh (reader page, POST /api/codings p99)
#   --cold-build  also `cargo build --release --timings` into an empty /var/tmp/ambit-cold
#             (~5 GB, deleted afterwards): total time and the ten slowest units
#
# Installs what is missing: hyperfine, sqlite3, ripgrep, time (apt-get), pandas (pip, into
# WORKDIR/venv). Generated data stays in WORKDIR for a re-run; delete it when done.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 1 && $1 != -* ]] || { sed -n '2,30p' "$0" >&2; exit 2; }
WORK=$(mkdir -p "$1" && cd "$1" && pwd)
shift
AUTOCODE_MB=20 INGEST_MB=40 SMALL_MB=5 PASSAGES=100000 CODINGS=50000 DOCS=300 ROUNDS=3
COLD=0 SKIP="" OUT=$ROOT/benches/RESULTS.md BIN="" 
while [[ $# -gt 0 ]]; do
  case $1 in
    --autocode-mb) AUTOCODE_MB=$2; shift 2 ;;
    --ingest-mb) INGEST_MB=$2; shift 2 ;;
    --small-mb) SMALL_MB=$2; shift 2 ;;
    --passages) PASSAGES=$2; shift 2 ;;
    --codings) CODINGS=$2; shift 2 ;;
    --docs) DOCS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --cold-build) COLD=1; shift ;;
    --skip) SKIP=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --bin) BIN=$(cd "$2" && pwd); shift 2 ;;
    *) echo "compare.sh: unknown argument $1 (see the top of $0)" >&2; exit 2 ;;
  esac
done
want() { [[ ,$SKIP, != *,$1,* ]]; }
ALT=$ROOT/benches/search/alternate.py
R=$WORK/results
mkdir -p "$R"
log() { echo "== $(date -u +%H:%M:%S) $*"; }

# --- what the run needs ------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v rg >/dev/null || missing+=(ripgrep)
[[ -x /usr/bin/time ]] || missing+=(time)
if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing ${missing[*]}"
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
if ! python3 -c 'import pandas' 2>/dev/null; then
  if [[ ! -x $WORK/venv/bin/python3 ]]; then
    log "installing pandas into $WORK/venv"
    python3 -m venv "$WORK/venv" || { apt-get install -y -qq python3-venv && python3 -m venv "$WORK/venv"; }
    "$WORK/venv/bin/pip" install -q pandas
  fi
  export PATH=$WORK/venv/bin:$PATH
fi

# The machine as the run starts (the load average says how shared it was).
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cores=$(nproc)"
  echo "cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "ram=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' + uncommitted changes')"
  echo "versions=$(rustc --version | cut -d' ' -f2), $(rg --version | sed -n 1p), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(hyperfine --version), Python $(python3 -c 'import platform, pandas; print(platform.python_version(), "pandas", pandas.__version__)')"
} > "$R/machine.txt"
cat "$R/machine.txt"

# --- one release build, copied so that a rebuild by someone else cannot change it mid-run ---
mkdir -p "$WORK/bin"
if [[ -n $BIN ]]; then
  log "using the binaries in $BIN (no build)"
  [[ $BIN == "$WORK/bin" ]] || cp -p "$BIN/ambit" "$BIN/gen_corpus" "$BIN/rg_patterns" "$WORK/bin/"
else
  log "building (release)"
  (cd "$ROOT" && cargo build --release -p ambit --bin ambit &&
    cargo build --release -p ambit-coding --example gen_corpus --example rg_patterns)
  T=${CARGO_TARGET_DIR:-$ROOT/target}/release
  cp -p "$T/ambit" "$T/examples/gen_corpus" "$T/examples/rg_patterns" "$WORK/bin/"
fi
A=$WORK/bin/ambit
ls -l "$A" | awk '{ print $5 }' > "$R/binary-size.txt"
echo "binary=built $(date -u -r "$A" '+%Y-%m-%d %H:%M UTC')" >> "$R/machine.txt"

# Generates corpus $1 with gen_corpus (MB, seed, KB per file) unless a run left the same one.
corpus() {
  local dir=$1 stamp="mb=$2 seed=$3 kb=$4"
  if [[ -f $dir.stamp && $(cat "$dir.stamp") == "$stamp" ]]; then return; fi
  rm -rf "$dir"
  "$WORK/bin/gen_corpus" "$dir" "$2" --seed "$3" --file-kb "$4" >/dev/null
  echo "$stamp" > "$dir.stamp"
}
sizeof() { find "$1" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d files, %.1f MB\n", n, b / 1e6 }'; }

# --- 1. auto-coding ----------------------------------------------------------------------
if want autocode; then
  log "autocode: $AUTOCODE_MB MB"
  W=$WORK/autocode
  mkdir -p "$W"
  corpus "$W/corpus" "$AUTOCODE_MB" 5 100
  "$WORK/bin/rg_patterns" --keywords > "$W/keywords.txt"
  P=$W/project
  rm -rf "$P"
  "$A" init "$P" --name "autocode bench" >/dev/null
  "$A" --project "$P" add "$W/corpus" --kind workshop --date 2013-03-20 >/dev/null
  "$A" --project "$P" codebook init --template ambidexterity >/dev/null
  /usr/bin/time -f "%e %M" -o "$R/autocode-first.txt" "$A" --project "$P" autocode > "$W/first.log"
  echo "corpus=$(sizeof "$W/corpus"), $(wc -l < "$W/keywords.txt") keywords and phrases" > "$R/autocode-corpus.txt"
  tail -n 1 "$W/first.log" >> "$R/autocode-corpus.txt"
  # Each re-run replaces the codings it made, so every round does the whole job again.
  python3 "$ALT" --warmup 1 --csv "$R/autocode.csv" "$ROUNDS" \
    "autocode=$A --project $P autocode" \
    "autocode/rg=rg -c -i -w -f $W/keywords.txt $W/corpus" | tee "$R/autocode.txt"
fi

# --- 2. ingest + index -------------------------------------------------------------------
if want ingest; then
  log "ingest: $INGEST_MB MB in 100 KB files, $SMALL_MB MB in 2 KB files and in 2 MB files"
  W=$WORK/ingest
  mkdir -p "$W"
  corpus "$W/files" "$INGEST_MB" 7 100
  corpus "$W/small" "$SMALL_MB" 11 2
  # The same bytes in big files: the small files in order, about 1,000 to a file, a blank
  # line between them so that no passage runs across two of them.
  if [[ ! -f $W/big.stamp || $(cat "$W/big.stamp") != "$(cat "$W/small.stamp")" ]]; then
    rm -rf "$W/big" && mkdir -p "$W/big"
    (cd "$W/small" && ls | sort | split -l 1000 -d -a 3 - "$W/big/list.")
    for l in "$W/big"/list.*; do
      while read -r f; do cat "$W/small/$f"; echo; done < "$l" > "$W/big/b${l##*.}.txt"
      rm "$l"
    done
    cp "$W/small.stamp" "$W/big.stamp"
  fi
  cat > "$W/add-index.sh" <<EOF
#!/bin/sh
# One import as a researcher runs it: add the folder, then build the search index.
set -e
"$A" --project "\$1" add "\$2" --kind interview >/dev/null
"$A" --project "\$1" index >/dev/null
EOF
  {
    echo "files=$(sizeof "$W/files")"
    echo "small=$(sizeof "$W/small")"
    echo "big=$(sizeof "$W/big")"
  } > "$R/ingest-corpus.txt"
  fresh() { echo "rm -rf $W/p-$1 && $A init $W/p-$1 >/dev/null"; }
  loader="python3 $ROOT/benches/ingest/fts5_loader.py"
  # Throughput: one warm-up would double a long run; the files were just written, so they
  # are in the page cache already.
  python3 "$ALT" --warmup 0 --csv "$R/ingest.csv" \
    --prepare "ingest=$(fresh files)" "$ROUNDS" \
    "ingest=sh $W/add-index.sh $W/p-files $W/files" \
    "ingest/loader=$loader $W/fts-files.db $W/files" | tee "$R/ingest.txt"
  rm -rf "$W/p-files" "$W"/fts-files.db*
  python3 "$ALT" --warmup 1 --csv "$R/ingest-small.csv" \
    --prepare "small=$(fresh small)" --prepare "big=$(fresh big)" \
    --prepare "add-small=$(fresh small)" --prepare "add-small/big=$(fresh big)" "$ROUNDS" \
    "small=sh $W/add-index.sh $W/p-small $W/small" \
    "small/loader=$loader $W/fts-small.db $W/small" \
    "big=sh $W/add-index.sh $W/p-big $W/big" \
    "big/loader=$loader $W/fts-big.db $W/big" \
    "add-small=$A --project $W/p-small add $W/small --kind interview" \
    "add-small/big=$A --project $W/p-big add $W/big --kind interview" | tee "$R/ingest-small.txt"
  rm -rf "$W/p-small" "$W/p-big" "$W"/fts-*.db*
fi

# --- 3. phrase search ---------------------------------------------------------------------
if want search; then
  log "search: $PASSAGES passages"
  W=$WORK/search
  stamp="passages=$PASSAGES"
  if [[ ! -f $W.stamp || $(cat "$W.stamp") != "$stamp" || ! -f $W/fts.db ]]; then
    rm -rf "$W"
    python3 "$ROOT/benches/search/gen.py" "$W" "$PASSAGES"
    # gen.py wrote ambit.toml (the sample timeline), which `ambit init` keeps.
    "$A" init "$W" >/dev/null
    (cd "$W" && /usr/bin/time -f "%e %M" -o "$R/search-add.txt" "$A" add --manifest manifest.csv >/dev/null)
    /usr/bin/time -f "%e %M" -o "$R/search-index.txt" "$A" --project "$W" index --rebuild >/dev/null
    (cd "$W" && /usr/bin/time -f "%e %M" -o "$R/search-sqlite-import.txt" sqlite3 fts.db <<'SQL'
CREATE VIRTUAL TABLE p USING fts5(id UNINDEXED, phase UNINDEXED, text, tokenize = 'porter unicode61');
.mode tabs
.import passages.tsv p
SQL
    )
    echo "$stamp" > "$W.stamp"
  fi
  q='"delivery technician"'
  for f in top20 count top20-I2 count-I2; do
    case $f in
      top20) sql="SELECT id, text FROM p WHERE p MATCH '$q' ORDER BY rank LIMIT 20;" ;;
      count) sql="SELECT count(*) FROM p WHERE p MATCH '$q';" ;;
      top20-I2) sql="SELECT id, text FROM p WHERE p MATCH '$q' AND phase = 'I2' ORDER BY rank LIMIT 20;" ;;
      count-I2) sql="SELECT count(*) FROM p WHERE p MATCH '$q' AND phase = 'I2';" ;;
    esac
    echo "$sql" > "$W/$f.sql"
  done
  # Exactness: both must find the same passages.
  {
    echo "passages=$(wc -l < "$W/passages.tsv"), $(cut -f3 "$W/passages.tsv" | wc -c | awk '{ printf "%.1f MB", $1 / 1e6 }') of passage text"
    echo "found ambit=$("$A" --project "$W" search "$q" --count) sqlite=$(sqlite3 "$W/fts.db" ".read $W/count.sql")"
    echo "found-I2 ambit=$("$A" --project "$W" search "$q" --phase I2 --count) sqlite=$(sqlite3 "$W/fts.db" ".read $W/count-I2.sql")"
  } > "$R/search-corpus.txt"
  cat "$R/search-corpus.txt"
  s="sqlite3 $W/fts.db"
  python3 "$ALT" --warmup 3 --csv "$R/search.csv" $((ROUNDS < 7 ? 21 : 3 * ROUNDS)) \
    "phrase-top20=$A --project $W search '$q' --limit 20" \
    "phrase-top20/sqlite=$s '.read $W/top20.sql'" \
    "phrase-count=$A --project $W search '$q' --count" \
    "phrase-count/sqlite=$s '.read $W/count.sql'" \
    "phrase-top20-I2=$A --project $W search '$q' --phase I2 --limit 20" \
    "phrase-top20-I2/sqlite=$s '.read $W/top20-I2.sql'" \
    "phrase-count-I2=$A --project $W search '$q' --phase I2 --count" \
    "phrase-count-I2/sqlite=$s '.read $W/count-I2.sql'" | tee "$R/search.txt"
fi

# --- 4. tables (benches/tables/run.sh as it is) ---------------------------------------------
if want tables; then
  log "tables: $CODINGS codings, $DOCS documents (benches/tables/run.sh)"
  WORK=$WORK/tables CODINGS=$CODINGS DOCS=$DOCS ROUNDS=$ROUNDS SKIP_10M=1 AMBIT=$A \
    "$ROOT/benches/tables/run.sh" 2>&1 | tee "$R/tables.txt" || echo "tables: run.sh failed" | tee -a "$R/tables.txt"
fi

# --- 5. web (benches/web/run.sh as it is) ----------------------------------------------------
if want web; then
  log "web (benches/web/run.sh)"
  "$ROOT/benches/web/run.sh" "$WORK/web" > "$R/web.txt" 2> "$R/web.err" || echo "web: run.sh failed (see $R/web.err)" | tee -a "$R/web.txt"
  cat "$R/web.txt"
fi

# --- 6. cold build --------------------------------------------------------------------------
if [[ $COLD == 1 ]]; then
  log "cold build into /var/tmp/ambit-cold"
  rm -rf /var/tmp/ambit-cold
  echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" > "$R/cold-build.log"
  (cd "$ROOT" && env CARGO_TARGET_DIR=/var/tmp/ambit-cold cargo build --release --timings) >> "$R/cold-build.log" 2>&1 || true
  cp /var/tmp/ambit-cold/cargo-timings/cargo-timing.html "$R/" 2>/dev/null || true
  rm -rf /var/tmp/ambit-cold
fi

# --- the report ---------------------------------------------------------------------------
log "writing $OUT"
python3 - "$R" "$OUT" "$A" <<'PY'
import csv, json, os, re, sys
R, out, ambit = sys.argv[1:4]
def read(name, default=""):
    p = os.path.join(R, name)
    return open(p, encoding="utf-8").read().strip() if os.path.exists(p) else default
def rows(name):
    p = os.path.join(R, name)
    return {r["name"]: r for r in csv.DictReader(open(p))} if os.path.exists(p) else {}
m = dict(l.split("=", 1) for l in read("machine.txt").splitlines())
L = []
w = L.append
w("# Benchmarks side by side (issue 17)")
w("")
w(f"Written by `benches/compare.sh` on {m['date']}. Every pair ran in the same run, in alternating")
w("rounds (`benches/search/alternate.py`: each command once per round, every other round in reverse")
w("order), so a busy minute on the shared machine slows both alike. Figures are medians of wall")
w("time; CPU is user + system; peak RSS is the largest `ru_maxrss` over the rounds (what")
w("`/usr/bin/time -v` reports as maximum resident set size). Ratio = Ambit ÷ reference.")
w("")
w("## Machine")
w("")
w(f"- {m['cores']} cores, {m['cpu']}, {m['ram']} RAM")
w(f"- load average at start: **{m['load']}** (the machine is shared with other engineers' builds)")
w(f"- commit {m['commit']}; release binary {int(read('binary-size.txt', '0')) / 1e6:.1f} MB, {m.get('binary', '')}")
w(f"- {m['versions']}")
w("")
def fmt_s(v):
    v = float(v)
    return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s"
def table(title, csvname, pairs, note=""):
    r = rows(csvname)
    if not r:
        return
    w(f"## {title}")
    w("")
    if note:
        w(note)
        w("")
    w("| measured | Ambit | peak | reference | peak | ratio wall | ratio CPU |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for label, a, b in pairs:
        if a not in r or b not in r:
            continue
        x, y = r[a], r[b]
        w(f"| {label} | {fmt_s(x['wall_s'])} | {int(x['rss_kb']) / 1024:.0f} MB | {fmt_s(y['wall_s'])} | "
          f"{int(y['rss_kb']) / 1024:.0f} MB | **{float(x['wall_s']) / float(y['wall_s']):.2f}** | "
          f"{float(x['cpu_s']) / max(float(y['cpu_s']), 1e-9):.2f} |")
    runs = next(iter(r.values()))["runs"]
    w("")
    w(f"Medians of {runs} rounds. Raw output:")
    w("")
    w("```")
    w(read(csvname.replace(".csv", ".txt")))
    w("```")
    w("")
cmds = []
if rows("autocode.csv"):
    first = read("autocode-first.txt").split()
    table("1. Auto-coding (target ≤ 2× ripgrep's keyword scan)", "autocode.csv",
          [("`ambit autocode` (re-run: replaces its codings) vs `rg -c -i -w -f keywords.txt`", "autocode", "autocode/rg")],
          f"Corpus: {read('autocode-corpus.txt').replace('corpus=', '').replace(chr(10), '; ')}. First run (writes the codings): "
          f"{first[0] if first else '?'} s, peak {int(first[1]) / 1024 if len(first) > 1 else 0:.0f} MB.")
    cmds += ["ambit init P; ambit --project P add corpus --kind workshop --date 2013-03-20",
             "ambit --project P codebook init --template ambidexterity; ambit --project P autocode   # first run, then timed:",
             "ambit --project P autocode",
             "rg -c -i -w -f keywords.txt corpus          # keywords.txt: rg_patterns --keywords"]
if rows("ingest.csv"):
    r = rows("ingest.csv")
    c = dict(l.split("=", 1) for l in read("ingest-corpus.txt").splitlines())
    mb = float(re.search(r"([\d.]+) MB", c["files"]).group(1))
    table("2. Ingest + index (targets ≥ 50 MB/s, ≥ 3× the loader, small files ≤ 1.5× big)", "ingest.csv",
          [(f"`ambit add` + `ambit index`, {c['files']} vs `fts5_loader.py`", "ingest", "ingest/loader")],
          f"Throughput: Ambit {mb / float(r['ingest']['wall_s']):.1f} MB/s, the loader "
          f"{mb / float(r['ingest/loader']['wall_s']):.1f} MB/s; the loader is "
          f"{float(r['ingest/loader']['wall_s']) / float(r['ingest']['wall_s']):.2f}× Ambit's time (target ≥ 3).")
    rs = rows("ingest-small.csv")
    if rs:
        table("2b. Many small files vs the same bytes in big files", "ingest-small.csv",
              [(f"add + index, small files ({c['small']}) vs loader", "small", "small/loader"),
               (f"add + index, big files ({c['big']}) vs loader", "big", "big/loader"),
               ("add + index, small files vs big files", "small", "big"),
               ("`ambit add` alone, small files vs big files", "add-small", "add-small/big")],
              "The big files are the small ones concatenated in order (a blank line between), ~1,000 to a file. "
              "Target: small ÷ big ≤ 1.5.")
    cmds += ["ambit init P; ambit --project P add DIR --kind interview && ambit --project P index   # fresh project each run",
             "python3 benches/ingest/fts5_loader.py fts.db DIR"]
if rows("search.csv"):
    table("3. Phrase search (target ≤ 0.5× sqlite3 FTS5)", "search.csv",
          [(f"`\"delivery technician\"` top 20", "phrase-top20", "phrase-top20/sqlite"),
           ("count", "phrase-count", "phrase-count/sqlite"),
           ("top 20, `--phase I2`", "phrase-top20-I2", "phrase-top20-I2/sqlite"),
           ("count, `--phase I2`", "phrase-count-I2", "phrase-count-I2/sqlite")],
          f"Corpus: {read('search-corpus.txt').replace(chr(10), '; ')}. Building it (once, not compared): "
          f"`ambit add --manifest` {read('search-add.txt').split()[0] if read('search-add.txt') else '?'} s, "
          f"`ambit index --rebuild` {read('search-index.txt').split()[0] if read('search-index.txt') else '?'} s, "
          f"sqlite3 `.import` {read('search-sqlite-import.txt').split()[0] if read('search-sqlite-import.txt') else '?'} s.")
    cmds += ["ambit --project P search '\"delivery technician\"' --limit 20      # and --count, and --phase I2",
             "sqlite3 fts.db \"SELECT id, text FROM p WHERE p MATCH '\\\"delivery technician\\\"' ORDER BY rank LIMIT 20;\"   # and count(*), and AND phase = 'I2'"]
t = read("tables.txt")
if t:
    w("## 4. Tables (target ≥ 10× pandas) — `benches/tables/run.sh`")
    w("")
    w("Its own alternating rounds (`hyperfine --runs 1` per round, medians); the last columns are")
    w("pandas ÷ Ambit, so the target reads ≥ 10×. The 10M-codings compute bench was skipped (SKIP_10M=1).")
    w("")
    w("```")
    w("\n".join(l for l in t.splitlines() if not l.startswith(("   Compiling", "    Finished"))))
    w("```")
    w("")
t = read("web.txt")
if t:
    w("## 5. Web app (targets: page < 150 ms, POST /api/codings p99 < 20 ms) — `benches/web/run.sh`")
    w("")
    w("```")
    w(t)
    w("```")
    w("")
html = read("cargo-timing.html")
if html:
    # cargo's timings page embeds its units as JSON: `const UNIT_DATA = [...];`.
    units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
    log = read("cold-build.log")
    total = re.findall(r"Finished .* in (.+)", log)
    start = re.findall(r"^start (\S+) load (.+)$", log, re.M)
    w("## 6. Cold release build (`cargo build --release --timings`, empty target dir)")
    w("")
    page_total = re.search(r"Total time:</td><td>([^<]+)", html)
    failed = re.search(r"^error(\[E\d+\])?: .*$", log, re.M)
    w(f"- total: **{total[-1] if total else (page_total.group(1) if page_total else '?')}**"
      + (f" (started {start[0][0]}, load average {start[0][1]})" if start else ""))
    if failed:
        w(f"- **the build failed** before the workspace crates were done (first error: `{failed.group(0)}`),"
          " so the total is up to the failure, not a full build")
    w(f"- release binary `target/release/ambit`: {int(read('binary-size.txt', '0')):,} bytes")
    w(f"- {len(units)} units compiled; the ten slowest (seconds, codegen included):")
    w("")
    w("| unit | seconds |")
    w("|---|---:|")
    for u in sorted(units, key=lambda u: -u["duration"])[:10]:
        kind = "" if u.get("target", "") in ("", " ") else u["target"].strip()
        w(f"| {u['name']} {u['version']}{(' ' + kind) if kind else ''} | {u['duration']:.1f} |")
    w("")
if cmds:
    w("## Commands")
    w("")
    w("```sh")
    w("\n".join(cmds))
    w("```")
open(out, "w", encoding="utf-8").write("\n".join(L).rstrip() + "\n")
PY
log "done: $OUT"
