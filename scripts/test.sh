#!/usr/bin/env bash
# Set up and run every check: lint, types, the dependency rule, and the whole test suite.
# With EHCP_TEST_DATABASE_URL set (as .ci/run does), database tests run on PostgreSQL as well.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff";        ruff check . && ruff format --check .
echo "== mypy";        mypy
echo "== import rules"; lint-imports
echo "== pytest";      pytest -n "${PYTEST_WORKERS:-2}" "$@"
