"""The JSON Schema pass: validates a definition against ``schemas/statewright.schema.json``.

The schema says what shape a definition has (fields, types, required fields, enums, ranges); semantic rules
say the rest (targets exist, End/Next exclusivity, path syntax, query-language use of fields, timestamps).
The check itself is Statewright's own validator compiled from the schema (``schema_validator``: a yes/no
check generated once, then ``schema_explain`` for the errors of a definition that fails), because jsonschema
takes several times as long on a large definition; the tests hold the two to the same verdicts. Each error
becomes one finding that names the state, the field and the value, and says what was expected.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from statewright.lint.context import JSONATA, JSONPATH, LintContext
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import declare
from statewright.lint.schema_validator import SchemaError, compiled_validator
from statewright.source.document import escape_pointer_token

JSONATA_PATTERN = r"^\{%[\s\S]*%\}$"
# Keywords whose failure on a placeholder string means "we cannot know until deployment".
_PLACEHOLDER_KEYWORDS = frozenset({"type", "pattern", "enum", "const", "minLength", "maxLength", "format"})
_OPERATOR = re.compile(r"^(String|Numeric|Boolean|Timestamp|Is)[A-Z]")
_HINTS = {"RoleArn": " (or 'RoleArn.$' with a JSONPath)"}

MISSING_REQUIRED_FIELD = declare(
    "SW101",
    "missing-required-field",
    Severity.ERROR,
    """A field the language requires is missing.

    ## What it does
    Reports a missing required field: `StartAt` and `States` at the top level and in every Parallel branch
    and Map processor, `Type` in every state, `Resource` in a Task, `Choices` in a Choice, `Branches` in a
    Parallel, `ErrorEquals` in every retrier and catcher, `Next` in every catcher and top-level Choice rule,
    `RoleArn` in `Credentials`, `Resource` in `ItemReader`.

    ## Why is this bad?
    AWS Step Functions rejects the definition, and Statewright cannot run it.

    ## Example
    ```yaml
    StartAt: Load
    States:
      Load: {Type: Task, End: true}
    ```

    ## Use instead
    ```yaml
    StartAt: Load
    States:
      Load: {Type: Task, Resource: "arn:aws:states:::lambda:invoke", End: true}
    ```
    """,
)
UNKNOWN_FIELD = declare(
    "SW102",
    "unknown-field",
    Severity.ERROR,
    """A field that the state (or object) does not accept.

    ## What it does
    Reports every field the language does not define at that place, lists the accepted fields and suggests
    the nearest one. The only extension Statewright accepts is the `Statewright` object on Task states.

    ## Why is this bad?
    AWS rejects unknown fields. A misspelled optional field (`Nxt`, `Retries`, `TimeoutSecond`) would
    otherwise be silently ignored and the workflow would not do what it says.

    ## Example
    ```yaml
    A: {Type: Pass, Nxt: B}
    ```

    ## Use instead
    ```yaml
    A: {Type: Pass, Next: B}
    ```
    """,
)
WRONG_TYPE = declare(
    "SW103",
    "wrong-type",
    Severity.ERROR,
    """A field holds a value of the wrong JSON type.

    ## What it does
    Reports a value whose type the field does not accept: a string where a number is expected, a number
    where a boolean is expected, a list where an object is expected. In JSONata states a `{% ... %}`
    expression string is accepted wherever AWS accepts one.

    ## Why is this bad?
    AWS rejects the definition. YAML makes this easy to get wrong: `TimeoutSeconds: "30"` is a string.

    ## Example
    ```yaml
    Load: {Type: Task, Resource: "arn:aws:states:::lambda:invoke", TimeoutSeconds: "30", End: true}
    ```

    ## Use instead
    ```yaml
    Load: {Type: Task, Resource: "arn:aws:states:::lambda:invoke", TimeoutSeconds: 30, End: true}
    ```
    """,
)
INVALID_VALUE = declare(
    "SW104",
    "invalid-value",
    Severity.ERROR,
    """A field's value has the right type but is not allowed.

    ## What it does
    Reports values outside their enumeration (`Type`, `QueryLanguage`, `JitterStrategy`, `Mode`, ...),
    numbers out of range (`MaxAttempts` 0 to 99999999, `BackoffRate` at least 1.0, `IntervalSeconds`,
    `TimeoutSeconds` and `HeartbeatSeconds` at least 1, `ToleratedFailurePercentage` 0 to 100,
    `MaxConcurrency` at least 0), empty lists where one item is required (`Choices`, `Branches`,
    `ErrorEquals`), and names that are too long (state names 80 characters, `Label` 40).

    ## Why is this bad?
    AWS rejects the definition.

    ## Example
    ```yaml
    Retry:
      - ErrorEquals: [States.ALL]
        BackoffRate: 0.5
    ```

    ## Use instead
    ```yaml
    Retry:
      - ErrorEquals: [States.ALL]
        BackoffRate: 2
    ```
    """,
)
PLACEHOLDER_IN_TYPED_FIELD = declare(
    "SW801",
    "placeholder-in-typed-field",
    Severity.WARNING,
    """A deployment placeholder stands where a number, boolean or constrained value is expected.

    ## What it does
    Warns when a placeholder such as `${Timeout}` (SAM, CloudFormation DefinitionSubstitutions, Terraform
    `templatefile`) or `${Token[TOKEN.12]}` (CDK) fills a field that is not a free string, so its value
    cannot be checked until it is deployed. Placeholders in free string fields (`Resource`, `Comment`,
    payload templates) are not reported.

    ## Why is this bad?
    It is not wrong by itself: the deployed definition may be fine. But the check is skipped, so a wrong
    substitution is only found by AWS at deploy time.

    ## Example
    ```yaml
    Load: {Type: Task, Resource: "${LoadArn}", TimeoutSeconds: "${Timeout}", End: true}
    ```

    ## Use instead
    Lint with the values filled in: `statewright lint --substitute Timeout=30 workflow.yaml`, or keep the
    placeholder and accept the warning (`--ignore SW801`).
    """,
)


def schema_findings(context: LintContext) -> Iterator[tuple[str, Finding]]:
    """Validate the definition against the JSON Schema; one finding per problem."""
    seen: set[tuple[str, str, str]] = set()
    root = compiled_validator()
    if root.ok(context.definition):
        return
    for error in root.errors(context.definition, ()):
        for code, finding in _explain(error, context):
            key = (code, finding.pointer, finding.message)
            if key not in seen:
                seen.add(key)
                yield code, finding


def schema_errors(value: Any) -> list[SchemaError]:
    """The raw schema errors for ``value`` (for tests comparing this validator with jsonschema)."""
    root = compiled_validator()
    return [] if root.ok(value) else list(root.errors(value, ()))


# --- From schema errors to findings ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a node stands: in which state (if any) and by which field path inside it."""

    tokens: tuple[str | int, ...]
    state: str | None
    state_body: Any
    inner: tuple[str | int, ...]  # the path inside the state, or from the top when there is no state
    query_language: str

    @property
    def pointer(self) -> str:
        return _pointer(self.tokens)

    @property
    def label(self) -> str:
        return _label(self.inner)

    def child(self, key: str) -> tuple[str, str]:
        """Pointer and field label of the child ``key`` of this node."""
        return _pointer((*self.tokens, key)), _label((*self.inner, key))

    def holder_phrase(self) -> str:
        """How to name this node as the holder of a field: "in state 'A'", "at the top level", ..."""
        if self.state is None:
            return f"in {self.label!r} at the top level" if self.inner else "at the top level"
        return f"in {self.label!r} of state {self.state!r}" if self.inner else f"in state {self.state!r}"

    def value_subject(self) -> str:
        """The subject of "must be ...": "State 'A': field 'X'", "Field 'X' at the top level", ..."""
        if self.state is None:
            return f"Field {self.label!r} at the top level" if self.inner else "The definition"
        return f"State {self.state!r}: field {self.label!r}" if self.inner else f"State {self.state!r}"


def _explain(error: SchemaError, context: LintContext) -> Iterator[tuple[str, Finding]]:
    where = _locate(tuple(error.absolute_path), context.definition)
    keyword = error.validator
    if "propertyNames" in error.relative_schema_path:
        yield _state_name_problem(error, where)
    elif keyword == "required":
        yield from _missing(error, where)
    elif keyword == "additionalProperties":
        yield from _unknown(error, where)
    elif isinstance(error.instance, str) and keyword in _PLACEHOLDER_KEYWORDS and context.is_placeholder(
        error.instance
    ):
        yield _placeholder(error, where)
    else:
        yield _bad_value(error, where)


def _missing(error: SchemaError, where: _Where) -> Iterator[tuple[str, Finding]]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    for name in error.validator_value:
        if name in instance:
            continue
        _, field = where.child(name)
        message = f"Missing required field {name!r} {where.holder_phrase()}{_HINTS.get(name, '')}"
        finding = Finding(message, where.pointer, where.state, field, at_key=bool(where.tokens))
        yield MISSING_REQUIRED_FIELD.code, finding


def _unknown(error: SchemaError, where: _Where) -> Iterator[tuple[str, Finding]]:
    accepted = list(error.schema.get("properties", {}))
    for key in error.instance:
        if key in accepted:
            continue
        pointer, field = where.child(key)
        suggestion = _suggest(key, accepted)
        if suggestion:  # a likely typo: the suggestion says more than the whole list would
            message = f"Unknown field {key!r} {where.holder_phrase()}; did you mean {suggestion!r}?"
        else:
            if where.state is not None and not where.inner:
                accepts = f"a {where.state_body.get('Type')} state accepts: {_field_list(accepted)}"
            else:
                accepts = f"accepted: {_field_list(accepted)}"
            message = f"Unknown field {key!r} {where.holder_phrase()} ({accepts})"
        yield UNKNOWN_FIELD.code, Finding(message, pointer, where.state, field, at_key=True)


def _field_list(fields: Sequence[str]) -> str:
    # A Choice rule accepts some 45 fields; list the structural ones and summarise the operators.
    operators = [f for f in fields if _OPERATOR.match(f)]
    if len(operators) < 8:
        return ", ".join(sorted(fields))
    others = sorted(f for f in fields if f not in operators)
    return ", ".join(others) + " and the comparison operators (StringEquals, NumericLessThanPath, IsNull, ...)"


def _state_name_problem(error: SchemaError, where: _Where) -> tuple[str, Finding]:
    name = error.instance
    pointer = _pointer((*where.tokens, name))
    limit = error.schema.get("maxLength")
    if error.validator == "maxLength" and isinstance(name, str):
        message = f"State name {_clip(name)!r} is {len(name)} characters long; the limit is {limit}"
    else:
        message = f"State name {_show(name)} is not allowed ({error.validator} {_show(error.validator_value)})"
    return INVALID_VALUE.code, Finding(message, pointer, name if isinstance(name, str) else None, at_key=True)


def _placeholder(error: SchemaError, where: _Where) -> tuple[str, Finding]:
    expected = _expected(error.schema, where.query_language)
    message = (
        f"{where.value_subject()} holds the deployment placeholder {_show(error.instance)} where "
        f"{expected} is expected; it is not checked until deployed (give its value with --substitute)"
    )
    return PLACEHOLDER_IN_TYPED_FIELD.code, Finding(message, where.pointer, where.state, where.label or None)


def _bad_value(error: SchemaError, where: _Where) -> tuple[str, Finding]:
    keyword, schema, value = error.validator, error.schema, error.instance
    if keyword == "maximum":
        expected = f"{schema['maximum']} or less"
    elif keyword == "exclusiveMinimum":
        expected = f"greater than {schema['exclusiveMinimum']}"
    elif keyword in ("type", "pattern", "enum", "const", "minimum", "minItems", "minProperties", "maxLength",
                     "minLength"):
        expected = _expected(schema, where.query_language)
    else:  # a keyword the schema does not use today: name it plainly
        message = f"{where.value_subject()} does not satisfy {keyword} {_show(error.validator_value)}"
        return INVALID_VALUE.code, Finding(message, where.pointer, where.state, where.label or None)
    if keyword == "minProperties" and where.inner and where.inner[-1] == "States":
        expected = "an object holding at least one state"
    message = f"{where.value_subject()} must be {expected}, got {_show(value)}"
    if keyword == "enum" and isinstance(value, str):
        suggestion = _suggest(value, [v for v in schema["enum"] if isinstance(v, str)])
        message += f" (did you mean {json.dumps(suggestion)}?)" if suggestion else ""
    wrong_type = keyword == "type" or (keyword == "pattern" and _types(schema) != ["string"])
    code = WRONG_TYPE.code if wrong_type else INVALID_VALUE.code
    return code, Finding(message, where.pointer, where.state, where.label or None)


def _expected(schema: dict[str, Any], query_language: str) -> str:
    """What a field accepts, in words: "a positive integer or a JSONata expression '{% ... %}'"."""
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    types = _types(schema)
    jsonata = schema.get("pattern") == JSONATA_PATTERN
    # A JSONPath state cannot use the JSONata alternative, so offering it would mislead.
    offer_jsonata = jsonata and (query_language == JSONATA or types == ["string"])
    parts = [_describe_type(t, schema, alone=len(types) == 1) for t in types if not (jsonata and t == "string")]
    if offer_jsonata:
        parts.append("a JSONata expression '{% ... %}'")
    return " or ".join(parts) or "a valid value"


def _describe_type(kind: str, schema: dict[str, Any], *, alone: bool) -> str:
    if kind in ("integer", "number"):
        return _describe_number(kind, schema.get("minimum"))
    if kind == "string":
        limit = schema.get("maxLength")
        return f"a string of at most {limit} characters" if limit is not None else "a string"
    if kind == "object":
        return "a non-empty object" if schema.get("minProperties") else "an object"
    if kind == "array":
        return "a non-empty array" if schema.get("minItems") else "an array"
    if kind == "boolean":
        return "true or false" if alone else "a boolean"
    return kind  # "null"


def _describe_number(kind: str, minimum: float | None) -> str:
    if kind == "integer" and minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return f"a non-negative {kind}"
    if minimum is not None:
        return f"a {kind} of at least {minimum}"
    return "an integer" if kind == "integer" else "a number"


def _types(schema: dict[str, Any]) -> list[str]:
    kinds = schema.get("type", [])
    return [kinds] if isinstance(kinds, str) else list(kinds)


def _locate(tokens: tuple[str | int, ...], definition: Any) -> _Where:
    """Find the innermost state on the path: the last ``States/<name>`` that belongs to a scope."""
    top_language = JSONATA if isinstance(definition, dict) and definition.get("QueryLanguage") == JSONATA \
        else JSONPATH
    for index in range(len(tokens) - 2, -1, -1):
        if tokens[index] == "States" and _is_scope(tokens[:index]):
            body = _node_at(definition, tokens[: index + 2])
            body = body if isinstance(body, dict) else {}
            language = body.get("QueryLanguage")
            language = language if language in (JSONPATH, JSONATA) else top_language
            return _Where(tokens, str(tokens[index + 1]), body, tokens[index + 2 :], language)
    return _Where(tokens, None, None, tokens, top_language)


def _is_scope(prefix: Sequence[str | int]) -> bool:
    """True for the path of an object holding StartAt/States: the root, a branch, a Map processor."""
    if not prefix:
        return True
    if prefix[-1] in ("ItemProcessor", "Iterator"):
        return len(prefix) >= 3 and prefix[-3] == "States"
    return len(prefix) >= 4 and isinstance(prefix[-1], int) and prefix[-2] == "Branches" and prefix[-4] == "States"


def _node_at(value: Any, tokens: Sequence[str | int]) -> Any:
    for token in tokens:
        found = isinstance(value, dict) and token in value
        found = found or (isinstance(value, list) and isinstance(token, int) and token < len(value))
        if not found:
            return None
        value = value[token]
    return value


def _pointer(tokens: Sequence[str | int]) -> str:
    return "".join("/" + escape_pointer_token(token) for token in tokens)


def _label(tokens: Sequence[str | int]) -> str:
    """A field path as people write it: ``Retry[0].IntervalSeconds``."""
    text = ""
    for token in tokens:
        if isinstance(token, int):
            text += f"[{token}]"
        else:
            text += f".{token}" if text else token
    return text


def _suggest(word: str, options: Sequence[str]) -> str | None:
    by_case = {option.lower(): option for option in options}
    if word.lower() in by_case:
        return by_case[word.lower()]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def _show(value: Any) -> str:
    return _clip(json.dumps(value, ensure_ascii=False))


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
