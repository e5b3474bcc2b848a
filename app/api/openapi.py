"""What every operation of the OpenAPI document says, applied in one place (an apispec plugin).

Views name their operations (`@blp.doc(operationId="listOffers")`, the summary is the first line
of their docstring); this plugin adds what follows from the API's rules, so no view can forget it:

* errors, as `application/problem+json` (app/errors.py): 401, 403 and 429 on every operation that
  needs a token (a refused token, a role that may not, too many refused tokens from one address),
  404 where the path (or the `week` query argument) names a resource, 409 on every write (a
  state or a unique rule says no, or an idempotent request still in flight), 412 where `If-Match`
  is accepted, 503 everywhere (the database is busy); 429, 503 and 409 carry `Retry-After`;
* `Idempotency-Key` on every POST that needs a token (app/idempotency.py);
* a description on every response (a view's `responses={200: {...}}` may leave it out, which
  OpenAPI forbids) and status codes as strings;
* an operationId where a view gave none, derived from the method and path (`getJobsByJobId`),
  stable as long as the path is; explicit names are preferred, this is a safety net.
"""
from __future__ import annotations

import re
from http import HTTPStatus

from apispec import BasePlugin

PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
RETRY_AFTER = {"$ref": "#/components/headers/RetryAfter"}
WRITES = ("post", "put", "patch", "delete")
METHODS = ("get", "put", "post", "patch", "delete", "options", "head")

#: Request header parameters, by component name.
IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "example": '"v3"',
            "description": "The ETag of the last read: the write happens only if the resource is still "
                           "at that version (412 otherwise). Without it, the write is unconditional."}
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[\x21-\x7e]+$"},
                   "description": "A key of the client's choice (a UUID): a retry with the same key and "
                                  "request gets the stored answer (`Idempotent-Replayed: true`) and runs nothing; "
                                  "the same key with another request is 422; while the first is in flight, 409 "
                                  "with Retry-After."}
#: Response headers, by component name.
HEADERS = {
    "ETag": {"description": "The resource's version (`\"v3\"`): send it back in If-Match to update it.",
             "schema": {"type": "string"}},
    "RetryAfter": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "minimum": 0}},
    "Location": {"description": "Where the created resource (or the job) is.", "schema": {"type": "string"}},
}
ETAG = {"$ref": "#/components/headers/ETag"}
LOCATION = {"$ref": "#/components/headers/Location"}

#: Error responses, by status: component name, description, whether Retry-After comes with it.
ERRORS = {
    "401": ("Unauthorized", "No token, or a token that is unknown, revoked or of a deactivated user.", False),
    "403": ("Forbidden", "The caller's role or site may not do this.", False),
    "404": ("NotFound", "The resource named in the path does not exist (or is not the caller's to see).",
            False),
    "409": ("Conflict", "The week's state or a unique rule refuses it, or a request with the same "
                        "Idempotency-Key is still being processed (then with Retry-After).", True),
    "412": ("PreconditionFailed", "If-Match names a version the resource is no longer at: reload it.", False),
    "429": ("TooManyRequests", "Too many refused tokens from this address: wait Retry-After seconds.", True),
    "503": ("ServiceUnavailable", "The database (or the task queue) is busy: retry after Retry-After.", True),
}


def derived_operation_id(method: str, path: str) -> str:
    """`GET /api/v1/jobs/{job_id}` → `getJobsByJobId`: stable while the path is."""
    words: list[str] = []
    for part in path.removeprefix("/api/v1").strip("/").split("/"):
        if not part:
            continue
        by = part.startswith("{")
        tokens = [t for t in re.split(r"[^A-Za-z0-9]+", part) if t]
        name = "".join(t[:1].upper() + t[1:] for t in tokens)
        words.append(("By" + name) if by else name)
    return method.lower() + "".join(words)


class ConventionsPlugin(BasePlugin):
    """Adds the documented errors, headers and fallback operationIds to every operation."""

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        for name, header in HEADERS.items():
            spec.components.header(name, header)
        spec.components.parameter("IfMatch", "header", {k: v for k, v in IF_MATCH.items() if k not in ("in",)})
        spec.components.parameter("IdempotencyKey", "header",
                                  {k: v for k, v in IDEMPOTENCY_KEY.items() if k not in ("in",)})
        for name, description, retry in ERRORS.values():
            response = {"description": description, "content": PROBLEM_CONTENT}
            if retry:
                response["headers"] = {"Retry-After": RETRY_AFTER}
            spec.components.response(name, response)

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, op in (operations or {}).items():
            if method not in METHODS:
                continue
            op.setdefault("operationId", derived_operation_id(method, path))
            secured = bool(op.get("security"))
            params = op.setdefault("parameters", [])
            names = {p.get("name") for p in params if isinstance(p, dict)}
            query = {p.get("name") for p in params if isinstance(p, dict) and p.get("in") == "query"}
            wanted = []
            if secured:
                wanted += ["401", "403", "429"]
            if "{" in path or "week" in query:
                wanted.append("404")
            if method in WRITES:
                wanted.append("409")
            if "If-Match" in names or "IfMatch" in params:
                wanted.append("412")
            wanted.append("503")
            if method == "post" and secured and "Idempotency-Key" not in names:
                params.append("IdempotencyKey")
            responses = op.setdefault("responses", {})
            _normalise(responses)
            for status in wanted:
                responses.setdefault(status, ERRORS[status][0])
            if not params:
                del op["parameters"]


def _normalise(responses: dict) -> None:
    """Status codes as strings; every inline response with a description (OpenAPI requires one)."""
    for status in list(responses):
        response = responses.pop(status)
        key = str(status)
        if isinstance(response, dict) and "$ref" not in response and not response.get("description"):
            try:
                response = {**response, "description": HTTPStatus(int(key)).phrase}
            except ValueError:
                response = {**response, "description": "Response"}
        responses[key] = response
