#!/usr/bin/env bash
# Web app benchmark: the reader page of a 100,000-word transcript with 2,000 codings (server
# time, page weight) and POST /api/codings latency with 500,000 codings stored.
# Usage: benches/web/run.sh [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
cargo bench -p ambit-web --bench web -- "${1:-/tmp/ambit-web-bench}"
