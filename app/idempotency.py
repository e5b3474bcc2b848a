"""`Idempotency-Key` on the API's POSTs: a retried request is answered, never executed twice.

A client that may retry (a flaky 4G link in a farm yard) sends `Idempotency-Key: <uuid>` with a
POST under /api/v1. Keys are scoped to the signed-in user.

* First request: the use case runs as usual; when it commits, an `IdempotencyRecord` holding the
  key and a hash of the request (method, path, query, body) is added to the *same* transaction
  (a `before_commit` hook on the request's session), so the created rows and the record are
  stored together or not at all. Right after, the response (status, body, ETag/Location) is
  stored on the record.
* Retry with the same key and the same request: the stored response is returned, with
  `Idempotent-Replayed: true`; nothing runs.
* Same key, different request: 422 `idempotency_key_reused`.
* Same key while the first is still in flight (or the process died between its commit and the
  storing of its answer): 409 `idempotency_in_progress` with `Retry-After`; the write happened
  at most once. Two concurrent first requests with one key: the unique (user, key) constraint
  lets one commit; the other's transaction rolls back (409).
* A request that failed (4xx/5xx before committing) stored nothing: a retry runs again.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import delete, event, update
from sqlmodel import Session, select

from app.db import engine, separate_unit_of_work
from app.errors import problem
from app.models import IdempotencyRecord

log = logging.getLogger(__name__)
HEADER = "Idempotency-Key"
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
REPLAYED_HEADERS = ("ETag", "Location")
MAX_STORED_BODY = 1_000_000


def request_hash() -> str:
    """SHA-256 of what makes two requests "the same": method, path, query and body.

    JSON bodies are canonicalised (key order and spacing do not matter); form uploads are hashed
    by their fields and file contents (the multipart boundary changes on every retry).
    """
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n".encode())
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, value in sorted(request.form.items(multi=True), key=lambda item: (str(item[0]), item[1])):
            digest.update(f"form:{name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: str(item[0])):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(f"file:{name}:{upload.filename}:".encode() + hashlib.sha256(content).digest())
    else:
        body = request.get_json(silent=True, cache=True) if request.is_json else None
        if body is not None:
            digest.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
        else:
            digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: IdempotencyRecord):
    response = current_app.response_class(record.body or "", status=record.status,
                                          content_type=record.content_type)
    for key, value in (record.headers or {}).items():
        response.headers[key] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _before_request():
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST" or not request.path.startswith("/api/v1/"):
        return None
    from app.auth import current_user

    user = current_user()
    if user is None:
        return None  # the view answers 401; nothing to remember
    if not KEY.match(key):
        return problem(400, f"{HEADER} must be 1 to 200 visible ASCII characters (a UUID is ideal).",
                       code="idempotency_key_invalid", errors=[{"field": HEADER, "message": "invalid"}],
                       detail_fr=f"L'en-tête {HEADER} doit faire 1 à 200 caractères ASCII visibles.")
    digest = request_hash()
    with Session(engine()) as session:
        record = session.exec(select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key)).first()
    if record is None:
        g.idempotency = {"user_id": user.id, "key": key, "hash": digest, "attached": False}
        return None
    if record.request_hash != digest:
        return problem(422, f"This {HEADER} was already used for a different request.",
                       code="idempotency_key_reused", errors=[{"field": HEADER, "message": "reused"}],
                       detail_fr=f"Cette clé {HEADER} a déjà servi pour une autre requête.")
    if record.status is None:
        return problem(409, "A request with this idempotency key is still being processed; retry shortly.",
                       code="idempotency_in_progress", headers={"Retry-After": "1"},
                       detail_fr="Une requête avec cette clé est en cours de traitement ; réessayez.")
    return _replay(record)


def _attach(session, *_args) -> None:
    """Add the record to the transaction being committed (the use case's own)."""
    if not has_request_context():
        return
    pending = g.get("idempotency")
    if not pending or pending["attached"] or session is not g.get("db_session"):
        return
    session.add(IdempotencyRecord(user_id=pending["user_id"], key=pending["key"], method=request.method,
                                  path=request.path[:500], request_hash=pending["hash"],
                                  created_at=datetime.now(UTC)))
    pending["attached"] = True


def _committed(session) -> None:
    if has_request_context() and session is g.get("db_session"):
        pending = g.get("idempotency")
        if pending and pending["attached"]:
            pending["committed"] = True


def _after_request(response):
    """Store the answer on the record the use case committed: a separate unit of work.

    Separate because the use case's transaction is over (committed with the record) and the
    answer only exists once the view returned; if this write is lost, a retry gets 409
    `idempotency_in_progress`, never a second execution."""
    pending = g.pop("idempotency", None)
    if not pending or not pending.get("committed"):
        return response  # nothing was written: a retry will run again
    body = response.get_data() if not response.direct_passthrough else b""
    try:
        text = body.decode("utf-8") if len(body) <= MAX_STORED_BODY else None
    except UnicodeDecodeError:
        text = None
    headers = {k: response.headers[k] for k in REPLAYED_HEADERS if k in response.headers}
    with separate_unit_of_work() as session:
        session.exec(update(IdempotencyRecord)
                     .where(IdempotencyRecord.user_id == pending["user_id"],
                            IdempotencyRecord.key == pending["key"])
                     .values(status=response.status_code, content_type=response.content_type,
                             headers=headers, body=text))
    return response


def purge(session: Session, before: datetime) -> int:
    """Forget records created before `before` (a retry window of a day is plenty); returns the count.

    Run daily by the scheduler and by `flask --app wsgi purge` (app/services/purge.py); the caller
    commits."""
    result = session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < before))
    return int(result.rowcount or 0)


def init_app(app: Flask) -> None:
    app.before_request(_before_request)
    app.after_request(_after_request)
    if not event.contains(Session, "before_commit", _attach):
        event.listen(Session, "before_commit", _attach)
        event.listen(Session, "after_commit", _committed)
