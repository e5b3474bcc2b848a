"""Domain exceptions of the market, mapped once to problem+json responses in `app/errors.py`.

Each carries an HTTP-agnostic `code`, an English `detail`, a French `detail_fr` and, where one
input is to blame, the `field` that is wrong.
"""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "domain_error"

    def __init__(self, detail: str, detail_fr: str | None = None, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.detail_fr = detail_fr or detail
        self.field = field


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class DeadlinePassed(Conflict):
    code = "deadline_passed"


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"
