"""JSONPath data flow, compiled once per state (spec/data-flow.md, spec/paths.md).

    raw input --InputPath--> effective --Parameters--> task input --(work)--> result
      --ResultSelector--> selected --ResultPath (into raw input)--> combined --OutputPath--> output

Everything here is built when the machine is compiled: paths parsed, intrinsics parsed, payload
templates turned into flat entry tuples. Running a step is then a few dict operations. JSON values are
treated as immutable and shared: a template's constant parts are reused as they are, and ``ResultPath``
copies only the containers along its path (``set_reference_path``).

The query language is a per-state strategy: :class:`JsonPathFlow` is the JSONPath one; a JSONata
strategy (issue 7) plugs in with the same methods (``effective_input``, ``task_input``,
``select_result``, ``place_result``, ``output``).

Error texts follow what AWS records (the ``An error occurred while executing the state ...`` prefix is
added by the engine, which knows the state and the event id).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orjson import dumps as _orjson_dumps

from statewright.core.errors import ErrorName, StatesError
from statewright.core.history import json_text
from statewright.core.intrinsics import (
    IntrinsicCall,
    Literal,
    PathArgument,
    RandomSource,
    StringLiteral,
    parse_intrinsic,
)
from statewright.core.intrinsics.text import format_text
from statewright.core.jsonpath import JsonPath, PathNotFound, parse_path, set_reference_path
from statewright.core.jsonpath.errors import FilterNotReadable, UndefinedVariable
from statewright.core.template_code import Builder, object_builder

_CONST, _INPUT_PATH, _ANY_PATH, _INTRINSIC, _NESTED, _INPUT_KEY, _FORMAT_KEY = range(7)
# _INPUT_KEY: an _INPUT_PATH ``$.name``. _FORMAT_KEY: an _INTRINSIC ``States.Format('..{}..', $.name)`` (the
# usual label), payload ``(prefix, path, suffix)``: evaluated inline, as the call would be, without its calls.

ABSENT: Any = object()
"""A field that is not in the definition (distinct from a field set to ``null``)."""


MAX_PAYLOAD_BYTES = 262_144
"""256 KiB of UTF-8 JSON: the limit on state inputs/outputs and task results (spec/data-flow.md 18)."""


def check_size(value: Any, what: str) -> None:
    """Raise States.DataLimitExceeded when ``value`` is over 256 KiB as UTF-8 JSON.

    Measured only where it is cheap to afford (task results, Map/Parallel results, the execution's
    input and final output). Data built by Pass states is not measured per transition, for speed: a
    chain of Pass states would otherwise serialise its whole payload at every step.
    """
    if over_limit(value):
        # AWS's words, which give no sizes (spec/data-flow.md 18).
        raise StatesError(ErrorName.DATA_LIMIT_EXCEEDED, f"{what} number of bytes service limit.")


def check_result_size(value: Any, subject: str) -> None:
    """:func:`check_size` for a state's or task's result, with AWS's cause naming ``subject`` (the state's name,
    or the function ARN of a Task that calls a Lambda function by its ARN). The cause is built only when the
    result is too large: this runs at every task result and at the end of every execution."""
    if over_limit(value):
        raise StatesError(ErrorName.DATA_LIMIT_EXCEEDED, f"The state/task '{subject}' returned a result with a "
                          "size exceeding the maximum number of bytes service limit.")


def over_limit(value: Any) -> bool:
    """Whether ``value`` is over 256 KiB as UTF-8 JSON (small flat values are known not to be, unserialised)."""
    cls = value.__class__
    if cls is dict:
        if len(value) <= 16:
            # A small flat object (the usual Assign, a small input) is far below the limit: no serialising.
            for item in value.values():
                kind = item.__class__
                if kind in _FLAT or (kind is str and len(item) < 1024):
                    continue
                break
            else:
                return False
    elif cls in _FLAT or (cls is str and len(value) * 4 < MAX_PAYLOAD_BYTES):
        return False
    # orjson writes the same text as json_text but ~15x faster, except for floats: an exponent may be written
    # another way (1e-05 / 1e-5, 1.2e-05 / 0.000012: a byte or two) and Infinity/NaN as null. Every float's
    # text holds a '.', an 'e' outside true/false, or is null, so counting those bounds the difference; only a
    # size within that bound of the limit (or a value orjson refuses: big ints, non-text keys) takes json_text.
    try:
        text = _orjson_dumps(value)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _json_size(value) > MAX_PAYLOAD_BYTES
    size = len(text)
    floats = (text.count(b".") + text.count(b"e") - text.count(b"true") - text.count(b"false")
              + text.count(b"null"))  # at least as many as the value's floats
    slack = _FLOAT_SLACK * floats
    if size + slack <= MAX_PAYLOAD_BYTES:
        return False
    if size - slack > MAX_PAYLOAD_BYTES:
        return True
    return _json_size(value) > MAX_PAYLOAD_BYTES


_FLOAT_SLACK = 8  # bytes a float's json_text may differ from orjson's by (at most 5: -Infinity against null)


def _json_size(value: Any) -> int:
    return len(json_text(value).encode("utf-8"))


def check_assigned(assigned: dict[str, Any]) -> dict[str, Any]:
    """The values of one ``Assign``, once checked against the 256 KiB limit (spec/variables.md 11).

    Measured as one JSON text of all the values, which bounds each single value too.
    """
    if len(assigned) <= 16:
        for item in assigned.values():
            # Scalars and short texts (the usual Assign) are far below the limit: no serialising.
            kind = item.__class__
            if kind in _FLAT or (kind is str and len(item) < 1024):
                continue
            break
        else:
            return assigned
    check_size(assigned, "The assigned variables have a size exceeding the maximum")
    return assigned


_FLAT = frozenset({int, float, bool, type(None)})  # classes of values that are small whatever they hold


def runtime_error(cause: str) -> StatesError:
    return StatesError(ErrorName.RUNTIME, cause)


def path_not_found(path: JsonPath | str, field: str, document: Any) -> StatesError:
    """AWS's cause for a ``.$`` / ``*Path`` field whose path matched nothing."""
    text = path.text if isinstance(path, JsonPath) else path
    return runtime_error(
        f"The JSONPath '{text}' specified for the field '{field}' could not be found in the input "
        f"'{json_text(document)}'"
    )


def unreadable_filter(error: FilterNotReadable, field: str) -> StatesError:
    """The cause for a path whose filter does not compile, which AWS reports only when it evaluates it."""
    return runtime_error(f"Invalid path '{error.path}' for the field '{field}' : {error}")


def resolve_path(path: JsonPath, input: Any, context: Any, variables: Mapping[str, Any] | None) -> Any:
    """The value a path names; definite paths raise PathNotFound, indefinite ones give a list."""
    if path.root == "input":
        return path.get(input) if path.is_definite else path.find(input)
    return path.resolve(input, context, variables)


# ------------------------------------------------------------------------------------------ templates


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled payload template (``Parameters``, ``ItemSelector``, ``ResultSelector``, ``Result*``).

    ``kind`` is ``object`` or ``array`` (or ``const`` for a value with no ``.$`` key anywhere, returned
    as is). Each entry is ``(key, kind, payload, field)`` where ``field`` is the key as written (for
    causes).
    """

    shape: str
    entries: tuple[tuple[Any, int, Any, str], ...]
    constant: Any
    uses_context: bool
    uses_variables: bool
    # The object built by generated code, for templates of constants, $.name paths and one-value Formats
    # (core/template_code.py); None when it does not apply, or when this input needs the loop below.
    build: Builder | None = field(default=None, compare=False, repr=False)

    def evaluate(self, input: Any, context: Any = None, variables: Mapping[str, Any] | None = None,
                 rng: RandomSource | None = None) -> Any:
        """The template's value for ``input`` (``$``), ``context`` (``$$``) and ``variables``.

        Raises:
            StatesError: ``States.Runtime`` for a path that matches nothing, ``States.IntrinsicFailure``
                from an intrinsic function.
        """
        build = self.build
        if build is not None:
            built = build(input)
            if built is not None:
                return built
        shape = self.shape
        if shape == "const":
            return self.constant
        if shape == "array":
            return [_evaluate_entry(entry, input, context, variables, rng) for entry in self.entries]
        out = {}
        field = ""
        try:
            # One flat loop over pre-classified entries: the per-transition cost of a template.
            for entry in self.entries:
                key, kind, payload, field = entry  # field: kept for the cause if a path fails
                if kind == _CONST:
                    out[key] = payload
                elif kind == _INPUT_KEY:  # $.name: what payload.get does, for an object that has the name
                    name = payload._keys[0]
                    out[key] = input[name] if input.__class__ is dict and name in input else payload.get(input)
                elif kind == _INPUT_PATH:
                    out[key] = payload.get(input)
                elif kind == _FORMAT_KEY:  # what States.Format's _format does for one value, inlined
                    prefix, path, suffix = payload
                    name = path._keys[0]
                    value = input[name] if input.__class__ is dict and name in input else path.get(input)
                    cls = value.__class__
                    out[key] = prefix + (value if cls is str else str(value) if cls is int
                                         else format_text(value)) + suffix
                elif kind in (_INTRINSIC, _NESTED):
                    out[key] = payload.evaluate(input, context, variables, rng)
                else:
                    out[key] = resolve_path(payload, input, context, variables)
        except UndefinedVariable as exc:
            raise runtime_error(f"Invalid path '{exc.path}': The variable '{exc.variable}' is not defined") from None
        except FilterNotReadable as exc:
            raise unreadable_filter(exc, field) from None
        except PathNotFound as exc:
            # AWS quotes the state's effective input even when the path reads the context object.
            raise path_not_found(exc.path, field, input) from None
        return out


def _evaluate_entry(entry: tuple[Any, int, Any, str], input: Any, context: Any,
                    variables: Mapping[str, Any] | None, rng: RandomSource | None) -> Any:
    _, kind, payload, field = entry
    if kind == _CONST:
        return payload
    if kind == _NESTED:
        return payload.evaluate(input, context, variables, rng)
    try:
        if kind == _INTRINSIC:
            return payload.evaluate(input, context, variables, rng)
        return resolve_path(payload, input, context, variables)
    except UndefinedVariable as exc:
        raise runtime_error(f"Invalid path '{exc.path}': The variable '{exc.variable}' is not defined") from None
    except FilterNotReadable as exc:
        raise unreadable_filter(exc, field) from None
    except PathNotFound as exc:
        # AWS quotes the state's effective input even when the path reads the context object.
        raise path_not_found(exc.path, field, input) from None


def compile_template(value: Any) -> Template:
    """Compile a payload template once; strings under ``.$`` keys become paths or intrinsic calls."""
    if isinstance(value, dict):
        entries = tuple(_compile_member(key, item) for key, item in value.items())
        shape = "object"
    elif isinstance(value, list):
        entries = tuple(_compile_item(item) for item in value)
        shape = "array"
    else:
        return Template("const", (), value, False, False)
    if all(entry[1] == _CONST for entry in entries):
        constant = {e[0]: e[2] for e in entries} if shape == "object" else [e[2] for e in entries]
        return Template("const", (), constant, False, False)
    uses_context = any(_entry_uses(entry, "context") for entry in entries)
    uses_variables = any(_entry_uses(entry, "variable") for entry in entries)
    build = object_builder([_plain_entry(entry) for entry in entries]) if shape == "object" else None
    return Template(shape, entries, None, uses_context, uses_variables, build)


def _plain_entry(entry: tuple[Any, int, Any, str]) -> tuple[str, Any, Any]:
    """An entry as core/template_code.py reads it (its kind ``other`` when it cannot be compiled there)."""
    key, kind, payload, _ = entry
    if kind == _CONST:
        return ("const", key, payload)
    if kind == _INPUT_KEY:
        return ("input", key, payload._keys[0])
    if kind == _FORMAT_KEY:
        prefix, path, suffix = payload
        return ("format", key, (prefix, path._keys[0], suffix))
    if kind == _INTRINSIC and payload.name == "States.MathAdd":
        path, number = payload.args
        if (path.__class__ is PathArgument and path.path.root == "input" and path.path.is_definite
                and path.path._keys is not None and len(path.path._keys) == 1 and isinstance(path.path._keys[0], str)
                and number.__class__ is Literal and number.value.__class__ is int):
            return ("add", key, (path.path._keys[0], number.value))
    return ("other", key, payload)


def _compile_member(key: str, item: Any) -> tuple[Any, int, Any, str]:
    if key.endswith(".$") and isinstance(item, str):
        out_key = key[:-2]
        if item.startswith("States."):
            call = parse_intrinsic(item)
            formatted = _format_of_key(call)
            if formatted is not None:
                return (out_key, _FORMAT_KEY, formatted, key)
            return (out_key, _INTRINSIC, call, key)
        path = parse_path(item)
        simple = path.root == "input" and path.is_definite
        if not simple:
            return (out_key, _ANY_PATH, path, key)
        keys = path._keys
        one_name = keys is not None and len(keys) == 1 and isinstance(keys[0], str)
        return (out_key, _INPUT_KEY if one_name else _INPUT_PATH, path, key)
    return _compile_item(item, key)


def _format_of_key(call: IntrinsicCall) -> tuple[str, JsonPath, str] | None:
    """``(prefix, path, suffix)`` of ``States.Format('prefix{}suffix', $.name)``, else None."""
    if call.name != "States.Format" or len(call.args) != 2:
        return None
    template, value = call.args
    if template.__class__ is not StringLiteral or len(template.segments) != 2:  # type: ignore[union-attr]
        return None
    if value.__class__ is not PathArgument:
        return None
    path = value.path  # type: ignore[union-attr]
    keys = path._keys
    if path.root != "input" or not path.is_definite or keys is None or len(keys) != 1 or not isinstance(keys[0], str):
        return None
    return template.segments[0], path, template.segments[1]  # type: ignore[union-attr]


def _compile_item(item: Any, key: Any = None) -> tuple[Any, int, Any, str]:
    if isinstance(item, dict | list):
        nested = compile_template(item)
        if nested.shape == "const":
            return (key, _CONST, nested.constant, str(key))
        return (key, _NESTED, nested, str(key))
    return (key, _CONST, item, str(key))


def _entry_uses(entry: tuple[Any, int, Any, str], root: str) -> bool:
    kind, payload = entry[1], entry[2]
    if kind in (_INPUT_PATH, _ANY_PATH, _INPUT_KEY):
        return bool(payload.root == root)
    if kind == _FORMAT_KEY:
        return bool(payload[1].root == root)
    if kind == _INTRINSIC:
        return any(path.root == root for path in payload.paths())
    if kind == _NESTED:
        return payload.uses_context if root == "context" else payload.uses_variables
    return False


def compile_path_or_intrinsic(text: str) -> JsonPath | IntrinsicCall:
    """A field such as Fail's ``ErrorPath`` that takes a reference path or an intrinsic call."""
    return parse_intrinsic(text) if text.startswith("States.") else parse_path(text)


def uses_root(value: JsonPath | IntrinsicCall | Template | None, root: str) -> bool:
    """Whether a compiled field reads ``$$`` (``root="context"``) or variables (``"variable"``)."""
    if value is None or value is ABSENT:
        return False
    if isinstance(value, JsonPath):
        return value.root == root
    if isinstance(value, IntrinsicCall):
        return any(path.root == root for path in value.paths())
    if isinstance(value, Template):
        return value.uses_context if root == "context" else value.uses_variables
    return False


# ------------------------------------------------------------------------------------------ JSONPath flow


def _filter_path(text: Any) -> JsonPath | Any | None:
    """InputPath/OutputPath: ``None`` for ``$`` or absent (identity), ``ABSENT``-free null as ``False``."""
    if text is ABSENT or text == "$":
        return None
    if text is None:
        return False
    return parse_path(text)


def _select(path: JsonPath | bool | None, value: Any, context: Any,
            variables: Mapping[str, Any] | None) -> Any:
    if path is None:
        return value
    if path is False:
        return {}
    try:
        return resolve_path(path, value, context, variables)
    except FilterNotReadable as exc:
        raise runtime_error(f"Invalid path '{path.text}' : {exc}") from None
    except PathNotFound as exc:
        raise runtime_error(f"Invalid path '{path.text}' : No results for path: {exc.normalized}") from None


@dataclass(frozen=True, slots=True)
class JsonPathFlow:
    """The JSONPath pipeline of one state, compiled.

    ``input_path``/``output_path``: ``None`` = identity, ``False`` = ``null`` (gives ``{}``).
    ``result_path``: ``None`` = ``$`` (the result replaces the input), ``False`` = ``null`` (the result
    is discarded), else a reference path.
    """

    input_path: JsonPath | bool | None
    parameters: Template | None
    result_selector: Template | None
    result_path: JsonPath | bool | None
    output_path: JsonPath | bool | None
    uses_context: bool
    # ResultPath of one name ($.x), the common case, placed without the general walk.
    result_key: str | None = None

    @classmethod
    def compile(cls, state: Mapping[str, Any], *, parameters_key: str | None = "Parameters") -> JsonPathFlow:
        parameters = state.get(parameters_key, ABSENT) if parameters_key else ABSENT
        selector = state.get("ResultSelector", ABSENT)
        result_path = state.get("ResultPath", ABSENT)
        compiled_parameters = None if parameters is ABSENT else compile_template(parameters)
        compiled_selector = None if selector is ABSENT else compile_template(selector)
        input_path = _filter_path(state.get("InputPath", ABSENT))
        output_path = _filter_path(state.get("OutputPath", ABSENT))
        if result_path is ABSENT or result_path == "$":
            placed: JsonPath | bool | None = None
        elif result_path is None:
            placed = False
        else:
            placed = parse_path(result_path)
        uses_context = any(uses_root(part, "context") for part in (
            compiled_parameters, compiled_selector,
            input_path or None, output_path or None))
        result_key = None
        if isinstance(placed, JsonPath) and placed._keys is not None and len(placed._keys) == 1 \
                and isinstance(placed._keys[0], str):
            result_key = placed._keys[0]
        return cls(input_path, compiled_parameters, compiled_selector, placed, output_path, uses_context,
                   result_key)

    def effective_input(self, raw: Any, context: Any = None, variables: Mapping[str, Any] | None = None) -> Any:
        """``InputPath`` applied to the raw input."""
        return _select(self.input_path, raw, context, variables)

    def task_input(self, effective: Any, context: Any = None, variables: Mapping[str, Any] | None = None,
                   rng: RandomSource | None = None) -> Any:
        """``Parameters`` applied to the effective input (the effective input when absent)."""
        if self.parameters is None:
            return effective
        return self.parameters.evaluate(effective, context, variables, rng)

    def select_result(self, result: Any, context: Any = None, variables: Mapping[str, Any] | None = None,
                      rng: RandomSource | None = None) -> Any:
        """``ResultSelector`` applied to the state's result."""
        if self.result_selector is None:
            return result
        return self.result_selector.evaluate(result, context, variables, rng)

    def place_result(self, raw: Any, result: Any) -> Any:
        """``ResultPath``: the raw input with ``result`` placed into it."""
        path = self.result_path
        if path is None:
            return result
        key = self.result_key
        if key is not None and raw.__class__ is dict:
            combined = dict(raw)  # a shallow copy: the rest of the input is shared, never changed
            combined[key] = result
            return combined
        if path is False:
            return raw
        return set_reference_path(raw, path, result)

    def output(self, combined: Any, context: Any = None, variables: Mapping[str, Any] | None = None) -> Any:
        """``OutputPath`` applied to the combined value."""
        return _select(self.output_path, combined, context, variables)
