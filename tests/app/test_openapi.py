"""The served OpenAPI document is one clients can rely on: walked whole, and validated.

Every operation has a unique operationId and a summary; the errors it can answer are documented as
problem+json (401/403/429 behind a token, 404 under a path parameter or a `week` argument, 409 on
writes, 412 with If-Match, 503 everywhere, Retry-After on 409/429/503); POSTs document
Idempotency-Key; the market's resources document If-Match and ETag; the plan body is typed like
`orders.plan.Plan`.
"""
from __future__ import annotations

import dataclasses
import re

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from orders import contract
from orders.plan import Plan

METHODS = ("get", "put", "post", "patch", "delete")
PROBLEM = {"$ref": "#/components/schemas/Problem"}
VERSIONED = ("/api/v1/offers", "/api/v1/basket-orders", "/api/v1/meal-orders")


@pytest.fixture
def spec(client):
    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    return res.get_json()


def _operations(spec):
    return [(method, path, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def _resolve(spec, obj):
    while isinstance(obj, dict) and "$ref" in obj:
        *_, kind, name = obj["$ref"].split("/")
        obj = spec["components"][kind][name]
    return obj


def _params(spec, op) -> dict[str, dict]:
    return {p["name"]: p for p in (_resolve(spec, p) for p in op.get("parameters", []))}


def test_the_served_document_is_valid_openapi(spec):
    validate(spec)  # openapi-spec-validator: raises on the first error
    assert spec["openapi"].startswith("3.")


def test_every_operation_has_a_unique_operation_id_and_a_summary(spec):
    ops = _operations(spec)
    assert len(ops) >= 90
    ids = [op.get("operationId") for _, _, op in ops]
    assert all(ids), [(m, p) for m, p, op in ops if not op.get("operationId")]
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]+", i) for i in ids), ids
    assert all(op.get("summary", "").strip() for _, _, op in ops), [
        (m, p) for m, p, op in ops if not op.get("summary")]
    names = dict(((m, p), op["operationId"]) for m, p, op in ops)
    assert names[("get", "/api/v1/offers")] == "listOffers"
    assert names[("post", "/api/v1/offers")] == "createOffer"
    assert names[("patch", "/api/v1/meal-orders/{key}")] == "updateMealOrder"
    assert names[("get", "/api/v1/weeks/{week}/plan")] == "getCurrentPlan"


def test_error_responses_are_documented_as_problems_where_they_can_happen(spec):
    for method, path, op in _operations(spec):
        responses = op["responses"]
        expected = {"503"}
        if op.get("security"):
            expected |= {"401", "403", "429"}
        if "{" in path or any(p["in"] == "query" and p["name"] == "week" for p in _params(spec, op).values()):
            expected.add("404")
        if method != "get":
            expected.add("409")
        if "If-Match" in _params(spec, op):
            expected.add("412")
        assert expected <= set(responses), (method, path, sorted(expected - set(responses)))
        for status in expected | ({"422"} & set(responses)):
            response = _resolve(spec, responses[status])
            assert response["content"]["application/problem+json"]["schema"] == PROBLEM, (method, path, status)
        for status in {"409", "429", "503"} & expected:
            assert "Retry-After" in _resolve(spec, responses[status]).get("headers", {}), (method, path, status)
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail", "detail_fr", "code", "errors"} <= set(problem)


def test_request_and_response_headers_are_documented(spec):
    posts = [(path, op) for method, path, op in _operations(spec) if method == "post" and op.get("security")]
    assert posts
    for path, op in posts:
        key = _params(spec, op).get("Idempotency-Key")
        assert key and key["in"] == "header" and not key["required"], path
    for base in VERSIONED:
        item = spec["paths"][f"{base}/{{key}}"]
        for method in ("patch", "delete"):
            if_match = _params(spec, item[method]).get("If-Match")
            assert if_match and if_match["in"] == "header", (base, method)
            assert "412" in item[method]["responses"]
        for method, status in (("get", "200"), ("patch", "200")):
            headers = _resolve(spec, item[method]["responses"][status]).get("headers", {})
            assert "ETag" in headers, (base, method)
        created = spec["paths"][base]["post"]["responses"]["201"]
        assert "ETag" in _resolve(spec, created).get("headers", {}), base
    assert _resolve(spec, {"$ref": "#/components/headers/RetryAfter"})["schema"]["type"] == "integer"


def _json_names(cls) -> set[str]:
    return {contract.json_name(f) for f in dataclasses.fields(cls)}


def test_the_plan_body_is_typed_like_orders_plan(spec):
    schemas = spec["components"]["schemas"]
    plan = schemas["Plan"]["properties"]["plan"]
    body = _resolve(spec, plan.get("allOf", [plan])[0])
    assert set(body["properties"]) == _json_names(Plan)
    assert {"week", "allocations", "shortfalls", "targets", "baskets", "rounds", "unsold", "fairness", "policy",
            "unserved", "totals", "solver"} <= set(body["properties"])
    rnd = _resolve(spec, body["properties"]["rounds"]["items"])
    visit = _resolve(spec, rnd["properties"]["stops"]["items"])
    drop = _resolve(spec, visit["properties"]["drops"]["items"])
    assert {"vehicle", "day", "start", "end", "km", "stops"} <= set(rnd["properties"])
    assert {"site", "arrival", "load_kg", "crates", "drops"} <= set(visit["properties"])
    assert {"product", "quantity", "crates"} <= set(drop["properties"])
    allocation = _resolve(spec, body["properties"]["allocations"]["items"])
    assert allocation["properties"]["quantity"]["type"] == "number"
    assert set(allocation["required"]) >= {"producer", "product", "consumer", "day", "quantity"}


def test_a_stored_plan_matches_its_documented_schema(spec):
    """A plan as the pipeline writes it (`Plan.to_dict`) is valid against the spec's `WeekPlan`."""
    from orders.plan import Allocation, Drop, Round, Totals, Visit

    plan = Plan(week="2026-W49",
                allocations=(Allocation(producer="ferme", product="oeufs", consumer="mat-loos", day="2026-12-01",
                                        quantity=120, crates=1, unit_price=0.3),),
                rounds=(Round(vehicle="van-1", day="2026-12-01", start="07:00", end="09:30", km=42.5,
                              stops=(Visit(site="mat-loos", arrival="08:00", departure="08:10", load_kg=7.2,
                                           crates=1, drops=(Drop(product="oeufs", quantity=120, crates=1),)),)),),
                totals=Totals(km=42.5, minutes=150, cost=80), solver={"portioning": {"status": "OPTIMAL"}})
    resolver_spec = {**spec["components"]["schemas"]["WeekPlan"], "components": spec["components"]}
    OAS30Validator(resolver_spec).validate(plan.to_dict())
