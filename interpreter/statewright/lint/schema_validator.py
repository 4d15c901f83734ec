"""A small JSON Schema validator compiled from ``schemas/statewright.schema.json``.

jsonschema's general-purpose validator spends ~10 µs per keyword it descends into: about half a second for
a 1,000-state definition. This compiles the schema once per process into a yes/no check generated as Python
source, a few milliseconds for 1,000 states; only when it fails are the closures of
:mod:`statewright.lint.schema_explain` built, to say what failed. ``tests/schema`` checks that the errors
are jsonschema's, ``tests/lint/test_fast_paths.py`` that check and closures agree.
Both understand exactly the keywords the schema uses: compiling a schema with any other keyword fails, so a
schema change cannot be silently ignored here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from statewright.lint.schema_file import load_schema

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One failed keyword, with the attributes of jsonschema's SchemaError that the pass reads."""

    validator: str
    validator_value: Any
    instance: Any
    schema: dict[str, Any]
    absolute_path: JsonPath
    relative_schema_path: tuple[str, ...] = ()


Ok = Callable[[Any], bool]
Errors = Callable[[Any, JsonPath], Iterator[SchemaError]]


@dataclass(slots=True)
class _Node:
    """A compiled (sub)schema: a fast yes/no check, and the errors, asked for only when the check fails."""

    ok: Ok
    errors: Errors


_ANNOTATIONS = frozenset({"title", "description", "$schema", "$id", "$defs", "$comment"})
def _json_equal(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1, though Python says it is.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _type_dispatch(branches: list[dict[str, Any]]) -> tuple[str, dict[str, dict[str, Any]]] | None:
    """Recognise ``allOf: [{if: {properties: {K: {const: X}}, required: [K]}, then: S}, ...]``."""
    key: str | None = None
    targets: dict[str, dict[str, Any]] = {}
    for branch in branches:
        test = _const_test(branch)
        if test is None or key not in (None, test[0]):
            return None
        key, targets[test[1]] = test[0], branch["then"]
    return (key, targets) if key is not None else None


def _const_test(branch: dict[str, Any]) -> tuple[str, str] | None:
    """(K, X) for ``{if: {properties: {K: {const: X}}, required: [K]}, then: ...}``, else None."""
    condition = branch.get("if")
    if set(branch) != {"if", "then"} or not isinstance(condition, dict):
        return None
    if set(condition) != {"properties", "required"} or len(condition["properties"]) != 1:
        return None
    name, test = next(iter(condition["properties"].items()))
    if condition["required"] != [name] or set(test) != {"const"} or not isinstance(test["const"], str):
        return None
    return name, test["const"]


# --- The yes/no check, generated as Python source ---------------------------------------------------------
# Nearly every definition is valid, so the check that says so is what a lint run pays for. The closures
# (schema_explain) call one function per keyword; here each subschema's keywords become one expression, compiled
# once, and the loops (over an object's members, an array's items) are shared closures whose dispatch
# tables map a member name to "anything", a tuple of types for isinstance, or a checking function. Only
# when this check fails are the closures built, to say what failed.

_SIMPLE_TYPES: dict[str, type] = {"string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}
_EXPRESSION_TYPES = {
    "string": "isinstance({v}, str)",
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "boolean": "{v}.__class__ is bool",  # bool cannot be subclassed
    "null": "{v} is None",
    "number": "(isinstance({v}, (int, float)) and {v}.__class__ is not bool)",
    "integer": "((isinstance({v}, int) and {v}.__class__ is not bool)"
               " or (isinstance({v}, float) and {v}.is_integer()))",
}
_ANY = True  # a dispatch entry accepting every value


def _closed_members(table: dict[str, Any], other: Any, guard: bool) -> Ok:
    """An object's members against ``table``; ``other`` for the rest (``None``: no other member allowed)."""
    get = table.get

    def check(v: Any) -> bool:
        if guard and not isinstance(v, dict):
            return True
        for key, x in v.items():
            entry = get(key, other)
            if entry.__class__ is tuple:  # the usual entry first: a type test
                if not isinstance(x, entry):
                    return False
            elif entry is True:
                continue
            elif entry is None or not entry(x):
                return False
        return True

    return check


def _all_items(item: Ok) -> Ok:
    def check(v: Any) -> bool:
        if not isinstance(v, list):
            return True
        for x in v:  # noqa: SIM110 (a plain loop is cheaper than all() over a generator)
            if not item(x):
                return False
        return True

    return check


def _all_names(name: Ok, guard: bool) -> Ok:
    def check(v: Any) -> bool:
        if guard and not isinstance(v, dict):
            return True
        for key in v:  # noqa: SIM110
            if not name(key):
                return False
        return True

    return check


def _dispatch(key: str, table: dict[str, Ok], guard: bool) -> Ok:
    get = table.get

    def check(v: Any) -> bool:
        if guard and not isinstance(v, dict):
            return True
        found = v.get(key)
        if not isinstance(found, str):
            return True
        target = get(found)
        return target is None or target(v)

    return check


class _Generator:
    """Generates the yes/no check of a schema; ``root`` checks the whole schema."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.definitions: dict[str, Any] = schema.get("$defs", {})
        self.names = {name: f"_def{index}" for index, name in enumerate(self.definitions)}
        self.namespace: dict[str, Any] = {"_json_equal": _json_equal}
        self.functions: list[str] = []
        self.by_expression: dict[str, str] = {}
        # Closures to build once the generated functions exist: (name, factory, arguments naming them).
        self.later: list[tuple[str, Callable[..., Ok], tuple[Any, ...]]] = []
        self.count = 0
        for name, sub in self.definitions.items():
            self.functions.append(f"def {self.names[name]}(v):\n return {self.expression(sub, 'v')}")
        self.functions.append(f"def _root(v):\n return {self.expression(schema, 'v')}")
        source = "\n".join(self.functions) + "\n"
        exec(compile(source, "<statewright schema check>", "exec"), self.namespace)
        for name, factory, arguments in self.later:
            self.namespace[name] = factory(*(self.resolve(argument) for argument in arguments))
        self.root: Ok = self.namespace["_root"]

    def resolve(self, argument: Any) -> Any:
        """A deferred argument: ``("fn", name)`` is a generated function, a dict's values are resolved too."""
        if isinstance(argument, tuple) and len(argument) == 2 and argument[0] == "fn":
            return self.namespace[argument[1]]
        if isinstance(argument, dict):
            return {key: self.resolve(value) for key, value in argument.items()}
        return argument

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"_{prefix}{self.count}"

    def constant(self, value: Any) -> str:
        name = self.fresh("c")
        self.namespace[name] = value
        return name

    def expression(self, schema: dict[str, Any], v: str) -> str:
        """A Python expression, true when the value named ``v`` satisfies ``schema``."""
        for keyword in schema:
            if keyword not in _ANNOTATIONS and keyword not in _KEYWORDS:
                raise ValueError(f"the schema pass does not support the JSON Schema keyword {keyword!r}")
        kind = schema.get("type")
        is_object = kind == "object"
        parts: list[str] = []
        if kind is not None:  # first, so that the parts after it may assume the type
            kinds = [kind] if isinstance(kind, str) else kind
            parts.append("(" + " or ".join(_EXPRESSION_TYPES[k].format(v=v) for k in kinds) + ")")
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("type", "then", "else", "additionalProperties"):
                continue
            parts.append(getattr(self, "_k_" + keyword.lstrip("$"))(value, schema, v, is_object))
        if "additionalProperties" in schema and "properties" not in schema:
            parts.append(self._k_properties({}, schema, v, is_object))
        parts = [part for part in parts if part != "True"]
        return " and ".join(parts) if parts else "True"

    def function(self, schema: dict[str, Any]) -> str:
        """The name of a one-argument function checking ``schema`` (a $def's own, when it is a bare $ref)."""
        target = self.bare_ref(schema)
        if target is not None:
            return self.names[target]
        expression = self.expression(schema, "x")
        name = self.by_expression.get(expression)
        if name is None:
            name = self.by_expression[expression] = self.fresh("f")
            self.functions.append(f"def {name}(x):\n return {expression}")
        return name

    def bare_ref(self, schema: dict[str, Any]) -> str | None:
        keys = [key for key in schema if key not in _ANNOTATIONS]
        if keys == ["$ref"]:
            return str(schema["$ref"]).removeprefix("#/$defs/")
        return None

    def entry(self, schema: dict[str, Any]) -> Any:
        """A dispatch entry: ``True`` (anything), a tuple of types, or ``("fn", name)`` of a function."""
        resolved, seen = schema, 0
        while (target := self.bare_ref(resolved)) is not None and seen < 8:
            resolved, seen = self.definitions[target], seen + 1
        keys = [key for key in resolved if key not in _ANNOTATIONS]
        if not keys:
            return _ANY
        if keys == ["type"]:
            kinds = [resolved["type"]] if isinstance(resolved["type"], str) else resolved["type"]
            if all(kind in _SIMPLE_TYPES for kind in kinds):
                return tuple(_SIMPLE_TYPES[kind] for kind in kinds)
        return ("fn", self.function(schema))

    def deferred(self, prefix: str, factory: Callable[..., Ok], *arguments: Any) -> str:
        name = self.fresh(prefix)
        self.later.append((name, factory, arguments))
        return name

    # -- keywords: each returns an expression over the value named v
    def _k_enum(self, value: list[Any], schema: dict[str, Any], v: str, is_object: bool) -> str:
        if all(isinstance(item, str) for item in value):
            return f"(isinstance({v}, str) and {v} in {self.constant(frozenset(value))})"
        items = self.constant(tuple(value))
        return f"any(_json_equal({v}, item) for item in {items})"

    def _k_const(self, value: Any, schema: dict[str, Any], v: str, is_object: bool) -> str:
        if isinstance(value, str):
            return f"(isinstance({v}, str) and {v} == {value!r})"
        return f"_json_equal({v}, {self.constant(value)})"

    def _k_minimum(self, value: float, schema: dict[str, Any], v: str, is_object: bool) -> str:
        bound = self.constant(value)
        return f"({v}.__class__ is bool or not isinstance({v}, (int, float)) or {v} >= {bound})"

    def _k_maximum(self, value: float, schema: dict[str, Any], v: str, is_object: bool) -> str:
        bound = self.constant(value)
        return f"({v}.__class__ is bool or not isinstance({v}, (int, float)) or {v} <= {bound})"

    def _k_pattern(self, value: str, schema: dict[str, Any], v: str, is_object: bool) -> str:
        search = self.constant(re.compile(value).search)
        return f"(not isinstance({v}, str) or {search}({v}) is not None)"

    def _k_maxLength(self, value: int, schema: dict[str, Any], v: str, is_object: bool) -> str:
        return f"(not isinstance({v}, str) or len({v}) <= {int(value)})"

    def _k_minItems(self, value: int, schema: dict[str, Any], v: str, is_object: bool) -> str:
        return f"(not isinstance({v}, list) or len({v}) >= {int(value)})"

    def _k_minProperties(self, value: int, schema: dict[str, Any], v: str, is_object: bool) -> str:
        if is_object:
            return f"len({v}) >= {int(value)}"
        return f"(not isinstance({v}, dict) or len({v}) >= {int(value)})"

    def _k_required(self, value: list[str], schema: dict[str, Any], v: str, is_object: bool) -> str:
        test = " and ".join(f"{name!r} in {v}" for name in value) or "True"
        return f"({test})" if is_object else f"(not isinstance({v}, dict) or ({test}))"

    def _k_ref(self, value: str, schema: dict[str, Any], v: str, is_object: bool) -> str:
        return f"{self.names[value.removeprefix('#/$defs/')]}({v})"

    def _k_allOf(self, value: list[dict[str, Any]], schema: dict[str, Any], v: str, is_object: bool) -> str:
        dispatch = _type_dispatch(value)
        if dispatch is None:
            return "(" + " and ".join(self.expression(sub, v) for sub in value) + ")"
        key, targets = dispatch
        table = {const: ("fn", self.function(then)) for const, then in targets.items()}
        return f"{self.deferred('a', _dispatch, key, table, not is_object)}({v})"

    def _k_not(self, value: dict[str, Any], schema: dict[str, Any], v: str, is_object: bool) -> str:
        return f"not ({self.expression(value, v)})"

    def _k_if(self, value: dict[str, Any], schema: dict[str, Any], v: str, is_object: bool) -> str:
        condition = self.expression(value, v)
        then = self.expression(schema.get("then", {}), v)
        otherwise = self.expression(schema.get("else", {}), v)
        return f"(({then}) if ({condition}) else ({otherwise}))"

    def _k_items(self, value: dict[str, Any], schema: dict[str, Any], v: str, is_object: bool) -> str:
        return f"{self.deferred('i', _all_items, ('fn', self.function(value)))}({v})"

    def _k_propertyNames(self, value: dict[str, Any], schema: dict[str, Any], v: str, is_object: bool) -> str:
        return f"{self.deferred('n', _all_names, ('fn', self.function(value)), not is_object)}({v})"

    def _k_properties(self, value: dict[str, Any], schema: dict[str, Any], v: str, is_object: bool) -> str:
        extra = schema.get("additionalProperties", True)
        if not isinstance(extra, dict) and extra is not False:
            # An open object: only the named members are checked, each with one lookup.
            tests = [
                f"({key!r} not in {v} or {self.function(sub)}({v}[{key!r}]))"
                for key, sub in value.items()
                if self.expression(sub, "x") != "True"
            ]
            if not tests:
                return "True"
            test = " and ".join(tests)
            return f"({test})" if is_object else f"(not isinstance({v}, dict) or ({test}))"
        table = {key: self.entry(sub) for key, sub in value.items()}
        other = None if extra is False else self.entry(extra)
        return f"{self.deferred('p', _closed_members, table, other, not is_object)}({v})"


_KEYWORDS = frozenset({
    "type", "enum", "const", "minimum", "maximum", "pattern", "maxLength", "minItems", "minProperties", "required",
    "$ref", "allOf", "not", "if", "then", "else", "items", "propertyNames", "properties", "additionalProperties",
})


def generated_check(schema: dict[str, Any]) -> Ok:
    """The yes/no check of ``schema`` as generated Python (for tests comparing it with the closures)."""
    return _Generator(schema).root


def closure_check(schema: dict[str, Any]) -> _Node:
    """The closures' node for ``schema`` (ok and errors), as the error path builds it."""
    from statewright.lint.schema_explain import Compiler

    return Compiler(schema).root


@cache
def compiled_validator() -> _Node:
    # Compiled once per process: the generated yes/no check now, the closures that explain a failure
    # only when one is asked for (jsonschema's general-purpose validator spends ~10 µs per keyword it
    # descends into, about half a second for a 1,000-state definition).
    schema = load_schema()
    explained: list[_Node] = []

    def errors(value: Any, path: JsonPath) -> Iterator[SchemaError]:
        if not explained:
            from statewright.lint.schema_explain import Compiler

            explained.append(Compiler(schema).root)
        return explained[0].errors(value, path)

    return _Node(_Generator(schema).root, errors)
