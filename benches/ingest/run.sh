#!/usr/bin/env bash
# Ingest throughput per format: COPIES byte-distinct copies of each sample file, imported
# format by format into a fresh project with the release binary.
#
#   benches/ingest/run.sh [WORKDIR] [COPIES]      (default /tmp/ambit-ingest-bench, 200)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$here/../.."
work="${1:-/tmp/ambit-ingest-bench}"
copies="${2:-200}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
ambit="$CARGO_TARGET_DIR/release/ambit"
(cd "$repo" && cargo build --release -p ambit --bin ambit)

python3 "$here/gen.py" "$work/files" "$copies"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
printf '%-6s %7s %9s %8s %9s %8s %9s\n' format files MB seconds files/s MB/s "max RSS"
for fmt in txt md vtt docx pdf html eml csv; do
    dir="$work/files/$fmt"
    [ -d "$dir" ] || continue
    proj="$work/project-$fmt"
    rm -rf "$proj"
    "$ambit" init "$proj" >/dev/null
    extra=()
    case $fmt in
        csv) extra=(--kind survey --id-column respondent
                    --text-column "What has changed in how you work with the network?"
                    --text-column "What is still difficult?") ;;
        txt|md|vtt) extra=(--kind interview) ;;
    esac
    files=$(ls "$dir" | wc -l)
    bytes=$(cat "$dir"/* | wc -c)
    status=0
    /usr/bin/time -f "%e %M" -o "$work/time-$fmt" \
        "$ambit" --project "$proj" add "$dir" "${extra[@]}" >"$work/add-$fmt.log" 2>&1 || status=$?
    if [ "$status" != 0 ]; then
        echo "$fmt: ambit add failed (exit $status); last lines of $work/add-$fmt.log:" >&2
        tail -n 3 "$work/add-$fmt.log" >&2
    fi
    read -r secs rss < "$work/time-$fmt"
    awk -v f="$fmt" -v n="$files" -v b="$bytes" -v s="$secs" -v r="$rss" 'BEGIN {
        printf "%-6s %7d %9.1f %8.2f %9.0f %8.1f %7.0f MB\n", f, n, b / 1e6, s, n / s, b / 1e6 / s, r / 1024 }'
done
