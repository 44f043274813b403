#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: environment, boundary cache, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
.venv/bin/python -m ptce_geo build
.venv/bin/python -m pytest "$@"
