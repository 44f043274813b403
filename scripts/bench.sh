#!/usr/bin/env bash
# Run the performance suite (not part of the tests): ./scripts/bench.sh [--quick] [--json OUT.json]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh benchmarks/requirements.txt
.venv/bin/python -m ptce_geo build
exec .venv/bin/python -m benchmarks "$@"
