#!/usr/bin/env bash
# Shared by scripts/demo.sh and scripts/test.sh: a virtualenv with Terril installed (runtime only, or
# with the extras named by TERRIL_EXTRAS), and a clear message for every system package the project
# needs that is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "Terril needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  echo "Install it (Debian/Ubuntu: sudo apt-get install python3.11 python3.11-venv) or set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "→ creating the virtualenv .venv"
  "$PYTHON" -m venv .venv || { echo "python3 -m venv failed: install python3-venv (sudo apt-get install python3-venv)." >&2; exit 1; }
fi
# TERRIL_EXTRAS: the optional dependencies to add ("" = runtime only, for the demo; "dev" = the test
# tools, for scripts/test.sh). One stamp per set, redone when pyproject.toml is newer than it.
extras=${TERRIL_EXTRAS:-}
if [ -n "$extras" ]; then
  spec=".[$extras]"
  stamp=".venv/.terril-installed-$extras"
else
  spec="."
  stamp=".venv/.terril-installed-runtime"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "→ installing Terril and its dependencies (${extras:-runtime only}: pip install -e $spec)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e "$spec"
  touch "$stamp"
fi

# WeasyPrint needs Pango (and fontconfig) from the system.
if ! .venv/bin/python -c 'import weasyprint' 2>/dev/null; then
  echo "WeasyPrint cannot load Pango: install the system libraries, e.g." >&2
  echo "  Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fontconfig" >&2
  echo "  macOS (Homebrew): brew install pango" >&2
  exit 1
fi
export PATH="$PWD/.venv/bin:$PATH"
