#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: the Debian packages the tests start by
# themselves (chromium for the browser tests, PostgreSQL 15 + PostGIS, nginx for the replica tests),
# the npm packages of the OpenID Connect provider they start (tests/oidc/, with the machine's node and npm),
# the Python environment, the boundary cache, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
MISSING=()
command -v chromium >/dev/null 2>&1 || MISSING+=(chromium fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || MISSING+=(poppler-utils)  # the printed fiche's text
[ -f /usr/share/postgresql/15/extension/postgis.control ] || MISSING+=(postgresql-15-postgis-3)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || MISSING+=(nginx)
if [ "${#MISSING[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "Installation des paquets Debian pour les tests : ${MISSING[*]}…" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
fi
# the test OpenID Connect provider: exact versions from package-lock.json, fetched again only
# when the lock file is newer than the last complete install (npm writes this marker last)
if [ ! -f tests/oidc/node_modules/.package-lock.json ] \
   || [ tests/oidc/package-lock.json -nt tests/oidc/node_modules/.package-lock.json ]; then
  command -v npm >/dev/null 2>&1 || { echo "node (>= 20) et npm sont nécessaires aux tests de connexion (tests/oidc/)" >&2; exit 1; }
  (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi
bash scripts/setup.sh requirements-dev.txt
.venv/bin/python -m ptce_geo build
.venv/bin/python -m pytest "$@"
