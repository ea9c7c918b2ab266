#!/usr/bin/env bash
# Set up and start the service on the embedded default database (SQLite under
# ${EHCP_DATA_DIR:-~/.local/share/ehcp}), created and migrated automatically.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/ehcp serve "$@"
