#!/usr/bin/env bash
# Create the virtual environment (.venv) and install the project's Python packages.
# Run with bash by run.sh, test.sh and bench.sh (argument: the requirements file);
# safe to run again (pip skips what is installed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "${1:-requirements.txt}"
# the project itself, editable: ptce_geo, dashboard and benchmarks import from this checkout
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
