#!/usr/bin/env bash
# The deployment topology with plain processes, on 127.0.0.1: a throw-away PostgreSQL + PostGIS,
# two Streamlit replicas and nginx with deploy/nginx.conf (sticky sessions) on port 8080.
# Options: --replicas N, --port P, --base URL (an existing database), --integration "origins".
set -euo pipefail
cd "$(dirname "$0")/.."
MISSING=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || MISSING+=(nginx)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || MISSING+=(postgresql-15-postgis-3)
if [ "${#MISSING[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
fi
bash scripts/setup.sh requirements.txt
.venv/bin/python -m ptce_geo build
exec .venv/bin/python -m deploy.cluster "$@"
