#!/usr/bin/env bash
# Set up the project on a fresh machine: a virtualenv in .venv with pinned dependencies.
# Safe to run again; it only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
# System libraries: WeasyPrint renders plans with Pango; the tests turn PDFs into PNGs with
# pdftoppm (poppler-utils). Installed with apt-get when missing and running as root.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  if ! ldconfig -p | grep -q libpango-1.0; then
    apt-get update && apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
  fi
  if ! command -v pdftoppm >/dev/null; then
    apt-get update && apt-get install -y poppler-utils
  fi
  # Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
  command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; } \
    || echo "setup: could not install chromium; the browser tests will be skipped" >&2
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
  echo "$want" > "$stamp"
fi
# Front-end assets: GOV.UK Frontend, the MOJ pattern library and axe-core, pinned by
# frontend/package-lock.json; the pages' files are then copied into api/static/ (without the
# GOV.UK font and crown: scripts/build_static.py).
if command -v npm >/dev/null; then
  lock_stamp=frontend/node_modules/.ehcp-lock
  want_lock="$(sha256sum frontend/package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$want_lock" ]; then
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want_lock" > "$lock_stamp"
  fi
else
  echo "setup: npm not found: the web pages will be unstyled (install Node.js 20 and npm)" >&2
fi
.venv/bin/python scripts/build_static.py || true
