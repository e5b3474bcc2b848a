"""gunicorn settings for the web process (`gunicorn wsgi:app` reads this file from the working folder).

The web process only answers requests: portioning, routing and publication are jobs run by
`flask --app wsgi worker` (docs/jobs.md), so no request needs more than a few seconds and the
timeouts below are those of an ordinary web app. Threads (gthread) keep a slow client or a
`Prefer: wait=N` request (at most 120 s, a sleeping poll) from holding a whole process.

Every setting can be overridden on the command line or with `GUNICORN_CMD_ARGS`.
"""
import multiprocessing
import os

bind = os.environ.get("TERRIL_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# processes: WEB_CONCURRENCY, else one per core up to 4 (the workers need the other cores)
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count())))
worker_class = "gthread"
threads = int(os.environ.get("TERRIL_WEB_THREADS", "4"))
timeout = 30  # a request that stalls 30 s (none should) has its process restarted
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("TERRIL_ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
