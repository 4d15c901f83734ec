"""The closures that say why a definition fails the schema (the error path of schema_validator).

Each keyword of a (sub)schema compiles to a closure pair: a yes/no check, and the errors, asked for only
where the check fails. schema_validator's generated check decides whether a definition is valid; these are
built only for a definition that is not, and report what jsonschema would (``tests/schema``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from statewright.lint.schema_validator import (
    _ANNOTATIONS,
    JsonPath,
    Ok,
    SchemaError,
    _json_equal,
    _Node,
    _type_dispatch,
)

_TYPE_CHECKS: dict[str, Ok] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Compiler:
    """Compiles the schema's $defs and root into :class:`_Node` closures."""

    def __init__(self, schema: dict[str, Any]) -> None:
        definitions = schema.get("$defs", {})
        # Two phases so that recursive $refs (states -> state -> Parallel -> branch -> states) resolve.
        self.defs = {name: _Node(_unset, _unset_errors) for name in definitions}
        for name, sub in definitions.items():
            compiled = self.compile(sub)
            self.defs[name].ok, self.defs[name].errors = compiled.ok, compiled.errors
        self.root = self.compile(schema)

    def compile(self, schema: dict[str, Any]) -> _Node:
        parts: list[_Node] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("then", "else", "additionalProperties"):
                continue  # then/else belong to "if"; additionalProperties is compiled with "properties"
            build = getattr(self, "_k_" + keyword.lstrip("$"), None)
            if build is None:
                raise ValueError(f"the schema pass does not support the JSON Schema keyword {keyword!r}")
            parts.append(build(value, schema))
        if "additionalProperties" in schema and "properties" not in schema:
            parts.append(self._k_properties({}, schema))
        return _all_of(parts)

    def _leaf(self, keyword: str, value: Any, schema: dict[str, Any], ok: Ok) -> _Node:
        def errors(instance: Any, path: JsonPath) -> Iterator[SchemaError]:
            yield SchemaError(keyword, value, instance, schema, path)

        return _Node(ok, errors)

    def _k_type(self, value: str | list[str], schema: dict[str, Any]) -> _Node:
        checks = [_TYPE_CHECKS[kind] for kind in ([value] if isinstance(value, str) else value)]
        if len(checks) == 1:
            return self._leaf("type", value, schema, checks[0])
        return self._leaf("type", value, schema, lambda v: any(check(v) for check in checks))

    def _k_enum(self, value: list[Any], schema: dict[str, Any]) -> _Node:
        return self._leaf("enum", value, schema, lambda v: any(_json_equal(v, item) for item in value))

    def _k_const(self, value: Any, schema: dict[str, Any]) -> _Node:
        return self._leaf("const", value, schema, lambda v: _json_equal(v, value))

    def _k_minimum(self, value: float, schema: dict[str, Any]) -> _Node:
        return self._leaf("minimum", value, schema, lambda v: not _is_number(v) or v >= value)

    def _k_maximum(self, value: float, schema: dict[str, Any]) -> _Node:
        return self._leaf("maximum", value, schema, lambda v: not _is_number(v) or v <= value)

    def _k_pattern(self, value: str, schema: dict[str, Any]) -> _Node:
        search = re.compile(value).search
        return self._leaf("pattern", value, schema, lambda v: not isinstance(v, str) or bool(search(v)))

    def _k_maxLength(self, value: int, schema: dict[str, Any]) -> _Node:
        return self._leaf("maxLength", value, schema, lambda v: not isinstance(v, str) or len(v) <= value)

    def _k_minItems(self, value: int, schema: dict[str, Any]) -> _Node:
        return self._leaf("minItems", value, schema, lambda v: not isinstance(v, list) or len(v) >= value)

    def _k_minProperties(self, value: int, schema: dict[str, Any]) -> _Node:
        return self._leaf("minProperties", value, schema, lambda v: not isinstance(v, dict) or len(v) >= value)

    def _k_required(self, value: list[str], schema: dict[str, Any]) -> _Node:
        return self._leaf(
            "required", value, schema, lambda v: not isinstance(v, dict) or all(name in v for name in value)
        )

    def _k_ref(self, value: str, schema: dict[str, Any]) -> _Node:
        # The target node itself: during compilation it may still be a placeholder, filled in later, so
        # callers must look up .ok/.errors at call time (as _all_of does), never capture them early.
        return self.defs[value.removeprefix("#/$defs/")]

    def _k_allOf(self, value: list[dict[str, Any]], schema: dict[str, Any]) -> _Node:
        dispatch = _type_dispatch(value)
        if dispatch is None:
            return _all_of([self.compile(sub) for sub in value])
        # allOf of "if Type is X then <X's schema>": one dict lookup instead of evaluating every if.
        key, targets = dispatch[0], {const: self.compile(then) for const, then in dispatch[1].items()}

        def target(v: Any) -> _Node | None:
            if not isinstance(v, dict):
                return None
            found = v.get(key)
            return targets.get(found) if isinstance(found, str) else None

        def ok(v: Any) -> bool:
            node = target(v)
            return node is None or node.ok(v)

        def errors(v: Any, path: JsonPath) -> Iterator[SchemaError]:
            node = target(v)
            return iter(()) if node is None else node.errors(v, path)

        return _Node(ok, errors)

    def _k_not(self, value: dict[str, Any], schema: dict[str, Any]) -> _Node:
        inner = self.compile(value)
        return self._leaf("not", value, schema, lambda v: not inner.ok(v))

    def _k_if(self, value: dict[str, Any], schema: dict[str, Any]) -> _Node:
        condition = self.compile(value)
        then = self.compile(schema.get("then", {}))
        otherwise = self.compile(schema.get("else", {}))

        def ok(v: Any) -> bool:
            return then.ok(v) if condition.ok(v) else otherwise.ok(v)

        def errors(v: Any, path: JsonPath) -> Iterator[SchemaError]:
            return then.errors(v, path) if condition.ok(v) else otherwise.errors(v, path)

        return _Node(ok, errors)

    def _k_items(self, value: dict[str, Any], schema: dict[str, Any]) -> _Node:
        item = self.compile(value)

        def ok(v: Any) -> bool:
            return not isinstance(v, list) or all(item.ok(x) for x in v)

        def errors(v: Any, path: JsonPath) -> Iterator[SchemaError]:
            for index, x in enumerate(v):
                if not item.ok(x):
                    yield from item.errors(x, (*path, index))

        return _Node(ok, errors)

    def _k_propertyNames(self, value: dict[str, Any], schema: dict[str, Any]) -> _Node:
        name = self.compile(value)

        def ok(v: Any) -> bool:
            return not isinstance(v, dict) or all(name.ok(key) for key in v)

        def errors(v: Any, path: JsonPath) -> Iterator[SchemaError]:
            for key in v:
                for error in name.errors(key, path) if not name.ok(key) else ():
                    yield replace(error, relative_schema_path=("propertyNames", error.validator))

        return _Node(ok, errors)

    def _k_properties(self, value: dict[str, Any], schema: dict[str, Any]) -> _Node:
        known = {key: self.compile(sub) for key, sub in value.items()}
        extra = schema.get("additionalProperties", True)
        other = self.compile(extra) if isinstance(extra, dict) else None

        def ok(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key, x in v.items():
                sub = known.get(key, other)
                if sub is None:
                    if extra is False:
                        return False
                elif not sub.ok(x):
                    return False
            return True

        def errors(v: Any, path: JsonPath) -> Iterator[SchemaError]:
            if extra is False and any(key not in known for key in v):
                yield SchemaError("additionalProperties", False, v, schema, path)
            for key, x in v.items():
                sub = known.get(key, other)
                if sub is not None and not sub.ok(x):
                    yield from sub.errors(x, (*path, key))

        return _Node(ok, errors)


def _all_of(parts: list[_Node]) -> _Node:
    if len(parts) == 1:
        return parts[0]
    parts = list(parts)

    def ok(v: Any) -> bool:
        # A plain loop: this is the hottest function, and all() over a generator costs a third more.
        for part in parts:  # noqa: SIM110
            if not part.ok(v):
                return False
        return True

    def errors(v: Any, path: JsonPath) -> Iterator[SchemaError]:
        for part in parts:
            if not part.ok(v):
                yield from part.errors(v, path)

    return _Node(ok, errors)


def _unset(_value: Any) -> bool:
    raise RuntimeError("schema $ref used before its definition was compiled")


def _unset_errors(_value: Any, _path: JsonPath) -> Iterator[SchemaError]:
    raise RuntimeError("schema $ref used before its definition was compiled")
