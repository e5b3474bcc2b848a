#!/usr/bin/env bash
# Install Terril and run the demo week of the Lens-Liévin territory on the embedded default
# (SQLite under instance/): load the data, portion, route, write the PDFs into out/, then serve the
# API (and the pages) on http://127.0.0.1:${PORT:-8000} with the weekly scheduler in-process.
# Long work (portioning, routing, documents) runs as jobs: a job worker (`flask worker`, two
# processes, queue in instance/queue.db) runs beside the commands and the web server, and stops with them.
set -euo pipefail
cd "$(dirname "$0")/.."
# the demo needs only the runtime dependencies (no test tools: Playwright, Schemathesis…)
TERRIL_EXTRAS=${TERRIL_EXTRAS-} source scripts/setup.sh
WEEK=${WEEK:-2026-W49}
PORT=${PORT:-8000}
export FLASK_APP=wsgi
mkdir -p instance out
echo "→ database schema"
flask db upgrade
echo "→ demo territory and week $WEEK"
flask demo --week "$WEEK" --tokens instance/demo-tokens.json
echo "→ job worker (flask worker, 2 processes; journal : instance/worker.log)"
flask worker --workers 2 >instance/worker.log 2>&1 &
WORKER_PID=$!
trap 'kill -TERM "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null' EXIT
echo "→ portioning and delivery rounds"
flask route --week "$WEEK" --reason "démonstration"
echo "→ documents (PDF) into out/"
flask documents --week "$WEEK" --out out
PORT=$PORT python - <<'PY'
import json
tokens = json.load(open("instance/demo-tokens.json", encoding="utf-8"))
coord = next(v["token"] for v in tokens.values() if v["role"] == "coordinator")
print("\nJeton de la coordination (rôle coordinator) :", coord)
print("Autres jetons de démonstration : instance/demo-tokens.json")
password = next(iter(tokens.values()))["password"]
import os
print(f"Pages : http://127.0.0.1:{os.environ['PORT']}/connexion — utilisateurs :", ", ".join(f"{n} ({v['role']})" for n, v in tokens.items()))
print("Mot de passe de démonstration (tous) :", password)
PY
echo
echo "API : http://127.0.0.1:$PORT/api/v1/  — documentation : http://127.0.0.1:$PORT/api/v1/docs"
echo "Essai : curl -H \"Authorization: Bearer <jeton>\" http://127.0.0.1:$PORT/api/v1/weeks/$WEEK/rounds"
echo "Arrêt : Ctrl+C"
export TERRIL_SCHEDULER_IN_PROCESS=${TERRIL_SCHEDULER_IN_PROCESS:-1}
gunicorn --bind "127.0.0.1:$PORT" --workers 1 --threads 4 --access-logfile - "wsgi:app"  # + gunicorn.conf.py
