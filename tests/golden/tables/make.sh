#!/usr/bin/env bash
# Writes the golden table and chart outputs of commands.json, run on a fresh demo project,
# with the binary given (by default target/debug/ambit): standard output, or the file of
# `-o OUT`. Made with the binary of the commit before the vocabulary refactor (issue 12),
# so the test proves the outputs did not change by a byte. Rerun it only for a deliberate
# change of a table or chart, and say so in the commit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../../../target/debug/ambit}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" demo "$work/demo" --samples "$here/../../../data-samples" >/dev/null 2>&1
python3 - "$bin" "$work/demo" "$here" <<'PY'
import json, subprocess, sys
bin, demo, here = sys.argv[1:]
for c in json.load(open(f"{here}/commands.json")):
    out = f"{here}/{c['name']}"
    args = [out if a == "OUT" else a for a in c["args"]]
    res = subprocess.run([bin, *args], cwd=demo, capture_output=True, check=True)
    if "OUT" not in c["args"]:
        open(out, "wb").write(res.stdout)
PY
