"""Property-based API tests: Schemathesis generates requests from our own OpenAPI spec.

For every operation and every role, a bounded number of generated requests must never get a
500, and every answer must match the spec: a documented status code, the documented content type
(errors are `application/problem+json`), the documented headers and body schema.
Failures of all operations are collected and reported together, with a curl line to replay each.

Reaching the logic: random ids only ever find 404s, so half the generated requests have their path
parameters (and `week` query) replaced by ids of resources that exist — every id the world's
listings return, drawn by Hypothesis — and the run asserts that operations on existing resources
answered 2xx. (Schemathesis's stateful mode infers ~900 links from our spec, but they read ids at
the top of a body, not inside our paginated `items`: in 30 scenarios none reached an existing
resource, so this file feeds them in instead.) Invalid and missing credentials get the same run
(every operation, no 5xx, 401 as documented), with the limiter raised so that it is not refused.
"""
from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.app.world import WEEK, build_world

ROLES = ("coordinator", "producer", "relay", "canteen", "driver")
MAX_EXAMPLES = 10
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]


def _ids(value, out: dict[type, set]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if (key == "id" or key.endswith("_id")) and isinstance(item, int | str) and not isinstance(item, bool):
                out[type(item)].add(item)
            _ids(item, out)
    elif isinstance(value, list):
        for item in value:
            _ids(item, out)


def existing_ids(world, schema) -> dict[type, list]:
    """Every id the coordinator's listings show (ints and strings), plus the week, its days, formats."""
    found: dict[type, set] = {int: set(), str: {WEEK, "csv", "xlsx", "pdf", "json"}}
    found[str] |= {f"2026-{d}" for d in ("11-30", "12-01", "12-02", "12-03", "12-04", "12-05")}
    for result in schema.get_all_operations():
        op = result.ok()
        if op.method.upper() == "GET" and "{" not in op.path:
            res = world.get(f"{op.full_path}?week={WEEK}")
            if res.status_code == 200 and res.is_json:
                _ids(res.json, found)
    return {int: sorted(found[int]), str: sorted(found[str])}


def _known(case, data, ids: dict[type, list]) -> None:
    """Half the time, name resources that exist: path parameters and `week` from `ids`."""
    if not data.draw(st.booleans(), label="existing resources"):
        return
    for name, value in list((case.path_parameters or {}).items()):
        pool = ids[int] if isinstance(value, int) else ids[str]
        if pool:
            case.path_parameters[name] = data.draw(st.sampled_from(pool), label=name)
    if case.query and "week" in case.query:
        case.query["week"] = WEEK


def _fuzz(operation, headers: dict, failures: list[str], ids: dict[type, list] | None = None,
          statuses: Counter | None = None, examples: int = MAX_EXAMPLES) -> None:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        if ids is not None:
            _known(case, data, ids)
        response = case.call(headers=headers)
        if statuses is not None:
            statuses[(operation.label, response.status_code)] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is an exception group
        failures.append(f"{operation.label}\n{str(exc)[:2000]}")


@pytest.mark.parametrize("role", ROLES)
def test_generated_requests_never_crash_and_match_the_spec(app, role):
    world = build_world(app, state="orders_open")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ids = existing_ids(world, schema)
    failures: list[str] = []
    statuses: Counter = Counter()
    operations = 0
    for result in schema.get_all_operations():
        _fuzz(result.ok(), {"Authorization": f"Bearer {world.tokens[role]}"}, failures, ids, statuses)
        operations += 1
    assert operations >= 60
    assert not failures, f"{len(failures)} operation(s) failed for {role}:\n\n" + "\n\n".join(failures)
    # the logic was reached: operations naming an existing resource answered 2xx, and nothing was refused
    reached = {label for (label, status) in statuses if 200 <= status < 300 and "{" in label}
    assert len(reached) >= (10 if role == "coordinator" else 2), sorted(reached)
    assert not [label for (label, status) in statuses if status == 429]


@pytest.mark.parametrize("credentials", ["invalid", "missing"])
def test_invalid_credentials_never_crash_and_are_refused_as_documented(app, credentials):
    world = build_world(app, state="orders_open")
    app.config["TERRIL_AUTH_FAILURES_PER_MINUTE"] = 10**9  # the run itself must not be rate limited
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ids = existing_ids(world, schema)
    headers = {"Authorization": "Bearer trl_not-a-real-token-0000"} if credentials == "invalid" else {}
    failures: list[str] = []
    statuses: Counter = Counter()
    for result in schema.get_all_operations():
        _fuzz(result.ok(), headers, failures, ids, statuses, examples=3)
    assert not failures, f"{len(failures)} operation(s) failed with {credentials} credentials:\n\n" + \
        "\n\n".join(failures)
    assert statuses and all(400 <= status < 500 and status != 429 for (_, status) in statuses), statuses


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
