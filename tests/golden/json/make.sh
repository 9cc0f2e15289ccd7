#!/usr/bin/env bash
# Writes the golden JSON outputs of commands.json, run on a fresh demo project, with the
# binary given (by default target/debug/ambit). Used once with the binary of the commit
# before the vocabulary refactor (issue 12), so the test proves the JSON did not change.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../../../target/debug/ambit}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" demo "$work/demo" --samples "$here/../../../data-samples" >/dev/null
python3 - "$bin" "$work/demo" "$here" <<'PY'
import json, subprocess, sys
bin, demo, here = sys.argv[1:]
for c in json.load(open(f"{here}/commands.json")):
    out = subprocess.run([bin, *c["args"]], cwd=demo, capture_output=True, text=True, check=True).stdout
    json.loads(out)
    open(f"{here}/{c['name']}.json", "w").write(out)
PY
