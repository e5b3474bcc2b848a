"""Marshmallow schemas generated from the contract dataclasses (`orders.contract`), for the OpenAPI spec.

The plan of a week is typed once, in `orders/plan.py`; its API schema is derived from those
dataclasses here, so a field added there appears in the spec with its JSON name, type, default
and rule, and never drifts. Each dataclass becomes one component (`Plan<Name>`, the plan itself
`WeekPlan`: `Plan` and `Round` already name the stored version and the stored round).
"""
from __future__ import annotations

import dataclasses
import typing

from marshmallow import Schema, fields

from orders import contract
from orders.plan import Plan

#: JSON Schema keywords an OpenAPI 3.0 schema object takes as they are.
_KEYWORDS = ("enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "description", "format")


def component_name(cls: type) -> str:
    return "WeekPlan" if cls is Plan else f"Plan{cls.__name__}"


def _field(tp, f: dataclasses.Field | None, cache: dict) -> fields.Field:
    optional, tp = contract._optional(tp)
    kwargs: dict = {"allow_none": True} if optional else {}
    if f is not None:
        rules = f.metadata.get("schema", {})
        kwargs["metadata"] = {k: v for k, v in rules.items() if k in _KEYWORDS}
        if f.default is not dataclasses.MISSING and f.default is not None:
            kwargs["metadata"]["default"] = contract._dump(tp, f.default, True)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            kwargs["required"] = True
        if contract.json_name(f) != f.name:
            kwargs["data_key"] = contract.json_name(f)
    if contract._is_pairs(tp):
        value_type = typing.get_args(typing.get_args(typing.get_args(tp)[0])[0])[1]
        return fields.Dict(keys=fields.String(), values=_field(value_type, None, cache), **kwargs)
    if tp is contract.Json:
        return fields.Raw(**{**kwargs, "allow_none": True})
    if dataclasses.is_dataclass(tp):
        return fields.Nested(schema_of(tp, cache), **kwargs)
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return fields.List(_field(args[0], None, cache), **kwargs)
        return fields.Tuple(tuple(_field(a, None, cache) for a in args), **kwargs)
    simple = {str: fields.String, int: fields.Integer, float: fields.Float, bool: fields.Boolean}
    if tp in simple:
        return simple[tp](**kwargs)
    raise TypeError(f"unsupported contract type {tp!r}")


def schema_of(cls: type, cache: dict | None = None) -> type[Schema]:
    """The marshmallow schema class of a contract dataclass (and, through `Nested`, of its parts)."""
    cache = {} if cache is None else cache
    if cls not in cache:
        hints = contract._hints(cls)
        body = {f.name: _field(hints[f.name], f, cache) for f in dataclasses.fields(cls)}
        cache[cls] = Schema.from_dict(body, name=component_name(cls))
    return cache[cls]


WeekPlanSchema = schema_of(Plan)
