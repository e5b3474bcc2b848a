#!/usr/bin/env bash
# Install Terril with its test dependencies and run the checks: ruff, then the test suite.
# Extra arguments go to pytest. TEST_DATABASE_URL=postgresql://… runs the suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "→ ruff check"
ruff check .
echo "→ pytest (database: ${TEST_DATABASE_URL:-SQLite})"
python -m pytest "$@"
