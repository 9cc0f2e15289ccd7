#!/usr/bin/env bash
# Runs every fuzz target for a while, seeded with the test corpus and the sample study.
#
#   bash fuzz/run.sh [SECONDS_PER_TARGET]     (default 300)
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Corpora and
# crashes stay under fuzz/corpus and fuzz/artifacts (not committed); a crash makes the
# script stop with the target's name and the reproducer's path.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-300}
root=..
seed() { # target, file globs...
    local dir=corpus/$1; shift
    mkdir -p "$dir"
    for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$dir/" || true; done
}
seed office $root/tests/corpus/good/*.docx $root/tests/corpus/good/*.odt \
    $root/tests/corpus/hostile/*.docx $root/tests/corpus/hostile/*.odt \
    $root/tests/corpus/hostile/*.xlsx $root/data-samples/*/*.docx
seed pdf $root/tests/corpus/good/*.pdf $root/tests/corpus/hostile/*.pdf $root/data-samples/*/*.pdf
seed html $root/tests/corpus/good/*.html $root/data-samples/*/*.html
seed email $root/tests/corpus/good/*.eml $root/tests/corpus/good/*.mbox $root/data-samples/*/*.eml
seed survey $root/tests/corpus/good/*.csv $root/data-samples/*/*.csv
for t in office pdf html email survey; do
    echo "== $t: ${secs}s"
    cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1
done
