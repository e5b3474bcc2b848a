#!/usr/bin/env bash
# Install Terril with its test dependencies and run the checks: ruff, then the test suite.
# Extra arguments go to pytest. TEST_DATABASE_URL=postgresql://… runs the suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
TERRIL_EXTRAS=${TERRIL_EXTRAS:-dev} source scripts/setup.sh
# The browser tests drive Debian's Chromium with Playwright (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing: the browser tests (tests/web/test_browser.py) will be skipped." >&2
  echo "  Install it: sudo apt-get install chromium   (Debian/Ubuntu; /usr/bin/chromium is used)" >&2
fi
# The interop conformance tests (tests/interop/) run npm parsers: the DFC connector, node-ical, ical.js,
# pinned by tests/interop/node/package-lock.json.
if command -v npm >/dev/null; then
  echo "→ npm ci (tests/interop/node)"
  npm ci --prefix tests/interop/node --no-audit --no-fund --loglevel=error \
    || echo "npm ci failed: the conformance tests (tests/interop/) will be skipped." >&2
else
  echo "node/npm are missing: the conformance tests (tests/interop/) will be skipped." >&2
fi
echo "→ ruff check"
ruff check .
echo "→ pytest (database: ${TEST_DATABASE_URL:-SQLite})"
python -m pytest "$@"
