"""How a frozen dataclass of the contract becomes JSON and back, and what its JSON Schema is.

One mechanism for every type of the week (`orders.scenario`) and of the plan (`orders.plan`), so a
field's JSON name, its default and its rule are written once, on the field:

    quantity: float = field(metadata=meta(minimum=0))
    yield_ratio: float = field(default=1.0, metadata=meta(json="yield", exclusive_minimum=0, maximum=1))

Supported field types: `str`, `int`, `float`, `bool`, `X | None`, nested contract dataclasses,
`tuple[X, ...]` (a JSON array), `tuple[str, str]` (a pair, e.g. a time window), `Pairs` (a
`tuple[tuple[str, V], ...]` written as a JSON object, sorted by key: meals per age group, targets)
and `Json` (a free JSON value, for solver statistics). A field without a default is required.

`from_dict` assumes its input has passed `validate` (the JSON Schema); it converts, it does not
check. `validate` returns every error with its JSON path (`$.offers[3].quantity`), which is what
`scenario run` prints and what the API's 422 names.
"""
from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")

Json = typing.NewType("Json", object)
"""A free JSON value (object, array, number…): solver statistics, where no field is read by code."""


class _PairsMarker:
    pass


def pairs(value_type: type) -> Any:
    """The annotation of a mapping stored as sorted (key, value) pairs, written as a JSON object."""
    return typing.Annotated[tuple[tuple[str, value_type], ...], _PairsMarker]


def meta(json: str | None = None, **schema: Any) -> dict[str, Any]:
    """Field metadata: its JSON name (when it differs) and JSON Schema keywords (snake_case allowed:
    `exclusive_minimum` becomes `exclusiveMinimum`)."""
    out: dict[str, Any] = {"schema": {_camel(k): v for k, v in schema.items()}}
    if json:
        out["json"] = json
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def json_name(f: dataclasses.Field) -> str:
    return f.metadata.get("json", f.name)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _optional(tp: Any) -> tuple[bool, Any]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return True, args[0]
    return False, tp


def _is_pairs(tp: Any) -> bool:
    return typing.get_origin(tp) is typing.Annotated and _PairsMarker in typing.get_args(tp)[1:]


# ---------------------------------------------------------------- JSON → dataclass


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build `cls` from a JSON object; keys the type does not know are ignored (extra optional
    fields are welcome in the exchange format)."""
    hints = _hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        name = json_name(f)
        if name in data:
            values[f.name] = _load(hints[f.name], data[name])
    return cls(**values)


def _load(tp: Any, value: Any) -> Any:
    optional, tp = _optional(tp)
    if value is None:
        return None
    if _is_pairs(tp):
        (inner,) = typing.get_args(typing.get_args(tp)[0])[:1]
        value_type = typing.get_args(inner)[1]
        return tuple(sorted((str(k), _load(value_type, v)) for k, v in value.items()))
    if tp is Json:
        return value
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value)
    origin = typing.get_origin(tp)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], v) for v in value)
        return tuple(_load(a, v) for a, v in zip(args, value, strict=True))
    if tp is float:
        return float(value)
    if tp is int:
        return int(value)
    if tp is bool:
        return bool(value)
    if tp is str:
        return str(value)
    raise TypeError(f"unsupported contract type {tp!r}")


# ---------------------------------------------------------------- dataclass → JSON


def to_dict(obj: Any, *, drop_none: bool = True) -> dict[str, Any]:
    """The JSON object of a contract dataclass; `None` fields are left out unless `drop_none=False`."""
    hints = _hints(type(obj))
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is None and drop_none:
            continue
        out[json_name(f)] = _dump(hints[f.name], value, drop_none)
    return out


def _dump(tp: Any, value: Any, drop_none: bool) -> Any:
    _, tp = _optional(tp)
    if value is None:
        return None
    if _is_pairs(tp):
        value_type = typing.get_args(typing.get_args(typing.get_args(tp)[0])[0])[1]
        return {k: _dump(value_type, v, drop_none) for k, v in value}
    if tp is Json:
        return value
    if dataclasses.is_dataclass(tp):
        return to_dict(value, drop_none=drop_none)
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return [_dump(args[0], v, drop_none) for v in value]
        return [_dump(a, v, drop_none) for a, v in zip(args, value, strict=True)]
    return value


# ---------------------------------------------------------------- JSON Schema


def json_schema(cls: type, title: str, schema_id: str) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of `cls` with every nested dataclass under `$defs`."""
    defs: dict[str, Any] = {}
    root = _object_schema(cls, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_id, "title": title,
            **root, "$defs": dict(sorted(defs.items()))}


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    props, required = {}, []
    for f in dataclasses.fields(cls):
        if "override" in f.metadata.get("schema", {}):
            prop = dict(f.metadata["schema"]["override"])
        else:
            prop = _type_schema(hints[f.name], defs)
            prop.update(f.metadata.get("schema", {}))
        if f.default is not dataclasses.MISSING and f.default is not None:
            prop["default"] = _dump(hints[f.name], f.default, True)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(json_name(f))
        props[json_name(f)] = prop
    out: dict[str, Any] = {"type": "object", "properties": props}
    if cls.__doc__:
        out["description"] = " ".join(cls.__doc__.split())
    if required:
        out["required"] = required
    return out


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    optional, tp = _optional(tp)
    inner = _non_null_schema(tp, defs)
    if optional:
        return {"anyOf": [inner, {"type": "null"}]}
    return inner


def _non_null_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if _is_pairs(tp):
        value_type = typing.get_args(typing.get_args(typing.get_args(tp)[0])[0])[1]
        return {"type": "object", "additionalProperties": _type_schema(value_type, defs)}
    if tp is Json:
        return {}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type_schema(args[0], defs)}
        return {"type": "array", "prefixItems": [_type_schema(a, defs) for a in args],
                "minItems": len(args), "maxItems": len(args)}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in simple:
        return {"type": simple[tp]}
    raise TypeError(f"unsupported contract type {tp!r}")


def default_of(cls: type, name: str) -> Any:
    """The default of one field, for code that must agree with it (table columns, forms)."""
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    raise KeyError(f"{cls.__name__}.{name} has no default")
