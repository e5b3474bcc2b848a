"""Property-based API tests: Schemathesis generates requests from our own OpenAPI spec.

For every operation and every role, a bounded number of generated requests must never get a
500, and every answer must match the spec: a documented status code, the documented content type
(errors are `application/problem+json`), the documented headers and body schema.
Failures of all operations are collected and reported together, with a curl line to replay each.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from tests.app.world import build_world

ROLES = ("coordinator", "producer", "relay", "canteen", "driver")
MAX_EXAMPLES = 10
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]


def _fuzz(operation, token: str, failures: list[str]) -> None:
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is an exception group
        failures.append(f"{operation.label}\n{str(exc)[:2000]}")


@pytest.mark.parametrize("role", ROLES)
def test_generated_requests_never_crash_and_match_the_spec(app, role):
    world = build_world(app, state="orders_open")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        _fuzz(result.ok(), world.tokens[role], failures)
        operations += 1
    assert operations >= 60
    assert not failures, f"{len(failures)} operation(s) failed for {role}:\n\n" + "\n\n".join(failures)


def test_errors_are_documented_as_problem_json(client):
    spec = client.get("/api/v1/openapi.json").json
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert list(default["content"]) == ["application/problem+json"]
    res = client.get("/api/v1/offers")
    assert res.status_code == 401 and res.mimetype == "application/problem+json"


def test_a_row_id_beyond_the_database_integer_is_a_404_not_a_crash(app):
    world = build_world(app)
    res = world.delete("/api/v1/grammages/34830175917567778816")
    assert res.status_code == 404 and res.mimetype == "application/problem+json"
