#!/usr/bin/env bash
# Start the dashboard on the demo registry (or on PTCE_POLES / PTCE_SOUTIENS if set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
.venv/bin/python -m ptce_geo build
exec .venv/bin/python -m dashboard.serve "$@"
