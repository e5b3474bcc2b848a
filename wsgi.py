"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`.

With `TERRIL_SCHEDULER_IN_PROCESS=1` (the demo), the weekly scheduler runs in this process too;
in production run it as its own process: `flask --app wsgi scheduler`.
"""
import os

from app import create_app

app = create_app()

if os.environ.get("TERRIL_SCHEDULER_IN_PROCESS") == "1" and not os.environ.get("FLASK_RUN_FROM_CLI"):
    from app.scheduler import start_in_process

    start_in_process(app)
