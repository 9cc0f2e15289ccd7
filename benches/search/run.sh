#!/usr/bin/env bash
# Search benchmark: ~1M generated passages, Ambit (tantivy) vs sqlite3 FTS5.
# Usage: benches/search/run.sh [WORKDIR] [PASSAGES]   (needs: python3, hyperfine, sqlite3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$here/../.."
work="${1:-/tmp/ambit-search-bench}"
n="${2:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
ambit="$CARGO_TARGET_DIR/release/ambit"

(cd "$repo" && cargo build --release -p ambit --bin ambit && \
  cargo build --release -p ambit-index --example bench_index)

rm -rf "$work" && mkdir -p "$work"
python3 "$here/gen.py" "$work" "$n"
echo "text: $(cut -f3 "$work/passages.tsv" | wc -c) bytes in $(wc -l < "$work/passages.tsv") passages"

# 1. Indexing throughput without the store (the index crate alone, all cores).
"$CARGO_TARGET_DIR/release/examples/bench_index" "$work/passages.tsv" "$work/ix-only"

# 2. The real project: import, then `ambit index --rebuild` (store -> index).
cd "$work"
# gen.py wrote ambit.toml (the sample timeline), which `ambit init` keeps; it makes the store.
"$ambit" init . >/dev/null
/usr/bin/time -f "import: %e s" "$ambit" add --manifest manifest.csv >/dev/null
/usr/bin/time -f "ambit index --rebuild: %e s" "$ambit" index --rebuild

# 3. sqlite3 FTS5 on the same passages (porter stemming, like Ambit's English stemmer).
rm -f fts.db
sqlite3 fts.db <<'SQL'
CREATE VIRTUAL TABLE p USING fts5(id UNINDEXED, phase UNINDEXED, text, tokenize = 'porter unicode61');
.mode tabs
.import passages.tsv p
SQL

q='delivery technician'
hyperfine --warmup 3 --runs 20 -N \
  "$ambit search '$q' --phase I2 --limit 20" \
  "sqlite3 fts.db \"SELECT id, text FROM p WHERE p MATCH '$q' AND phase = 'I2' ORDER BY rank LIMIT 20\"" \
  --export-markdown "$work/latency.md"
hyperfine --warmup 3 --runs 20 -N \
  "$ambit search '$q' --phase I2 --count" \
  "sqlite3 fts.db \"SELECT count(*) FROM p WHERE p MATCH '$q' AND phase = 'I2'\"" \
  --export-markdown "$work/count.md"
cat "$work/latency.md" "$work/count.md"
