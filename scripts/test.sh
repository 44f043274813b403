#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: Chromium (Debian package) for the browser
# tests, the Python environment, the boundary cache, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "Installation de chromium (paquet Debian) pour les tests dans le navigateur…" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
bash scripts/setup.sh requirements-dev.txt
.venv/bin/python -m ptce_geo build
.venv/bin/python -m pytest "$@"
