"""SW3xx: Choice rules (spec/states/choice.md): one operator per rule, Variable, nesting, operand types.

In a JSONPath state a rule is a comparison (``Variable`` plus one operator) or a boolean combination
(``And``, ``Or``, ``Not``); in a JSONata state it is a ``Condition``. Top-level rules carry ``Next``,
nested ones never do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from statewright.lint.context import LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import ChoiceRule, facts
from statewright.lint.rules._support import (
    has_placeholder,
    is_jsonata_state,
    is_rfc3339,
    quote,
)

_COMPARED = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
STRING_OPERATORS = frozenset({*(f"String{c}" for c in _COMPARED), "StringMatches"})
NUMERIC_OPERATORS = frozenset(f"Numeric{c}" for c in _COMPARED)
TIMESTAMP_OPERATORS = frozenset(f"Timestamp{c}" for c in _COMPARED)
BOOLEAN_OPERATORS = frozenset({"BooleanEquals"})
PATH_OPERATORS = frozenset(
    f"{kind}{c}Path" for kind in ("String", "Numeric", "Timestamp") for c in _COMPARED
) | {"BooleanEqualsPath"}
TYPE_TESTS = frozenset({"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"})
COMPARISONS = STRING_OPERATORS | NUMERIC_OPERATORS | TIMESTAMP_OPERATORS | BOOLEAN_OPERATORS | PATH_OPERATORS \
    | TYPE_TESTS
COMBINATORS = frozenset({"And", "Or", "Not"})
OPERATORS = COMPARISONS | COMBINATORS


def _jsonpath_rules(context: LintContext) -> Iterator[tuple[StateRef, ChoiceRule]]:
    known = facts(context)
    for state in known.states:
        if state.type == "Choice" and not is_jsonata_state(state):
            for choice in known.rules[state.pointer]:
                yield state, choice


@rule("SW301", "choice-operator-count", Severity.ERROR)
def choice_operator_count(context: LintContext) -> Iterator[Finding]:
    """A Choice rule has no comparison operator, or more than one.

    ## What it does
    Checks that each rule of a JSONPath Choice state has exactly one of: a comparison operator
    (`StringEquals`, `NumericLessThanPath`, `IsPresent`, ...), `And`, `Or` or `Not`.

    ## Why is this bad?
    AWS rejects the definition. Two operators in one rule do not mean "both"; use `And`.

    ## Example
    ```yaml
    - Variable: $.age
      NumericGreaterThanEquals: 18
      NumericLessThan: 65
      Next: Adult
    ```

    ## Use instead
    ```yaml
    - And:
        - {Variable: $.age, NumericGreaterThanEquals: 18}
        - {Variable: $.age, NumericLessThan: 65}
      Next: Adult
    ```
    """
    for state, choice in _jsonpath_rules(context):
        found = [key for key in choice.body if key in OPERATORS]
        if len(found) == 1:
            continue
        if not found:
            if "Condition" in choice.body:
                continue  # a JSONata rule in a JSONPath state: SW702 says so
            message = (f"Choice rule {choice.label} of state '{state.name}' has no comparison operator (such as "
                       "'StringEquals' or 'IsPresent') and no 'And', 'Or' or 'Not'.")
        else:
            names = ", ".join(f"'{k}'" for k in found)
            message = (f"Choice rule {choice.label} of state '{state.name}' has {len(found)} operators ({names}); "
                       "a rule takes exactly one (combine conditions with 'And').")
        yield Finding(message, choice.pointer, state=state.name, field=choice.label)


@rule("SW302", "choice-variable-missing", Severity.ERROR)
def choice_variable_missing(context: LintContext) -> Iterator[Finding]:
    """A comparison in a JSONPath Choice rule has no `Variable`.

    ## What it does
    Reports comparison rules (every operator except `And`, `Or`, `Not`) without a `Variable`.

    ## Why is this bad?
    The comparison has nothing to compare; AWS rejects the definition.

    ## Example
    ```yaml
    - StringEquals: ready
      Next: Go
    ```

    ## Use instead
    ```yaml
    - Variable: $.status
      StringEquals: ready
      Next: Go
    ```
    """
    for state, choice in _jsonpath_rules(context):
        operators = [key for key in choice.body if key in COMPARISONS]
        if operators and "Variable" not in choice.body:
            yield Finding(
                f"Choice rule {choice.label} of state '{state.name}' uses '{operators[0]}' but has no 'Variable' "
                "naming the value to compare.",
                choice.pointer, state=state.name, field=f"{choice.label}.Variable",
            )


@rule("SW305", "invalid-choice-timestamp", Severity.ERROR)
def invalid_choice_timestamp(context: LintContext) -> Iterator[Finding]:
    """A `Timestamp*` comparison's operand is not an RFC 3339 date-time.

    ## What it does
    Checks the operand of `TimestampEquals`, `TimestampLessThan`, ... (the non-`Path` forms): a real
    date and time such as `2024-03-14T01:59:00Z`. (That the operand is a string at all, and the
    types of the other operators' operands, are checked by the schema pass.)

    ## Why is this bad?
    AWS rejects the definition: the value cannot be compared as a point in time.

    ## Example
    ```yaml
    - {Variable: $.due, TimestampLessThan: "2024-03-14", Next: Early}
    ```

    ## Use instead
    ```yaml
    - {Variable: $.due, TimestampLessThan: "2024-03-14T00:00:00Z", Next: Early}
    ```
    """
    for state, choice in _jsonpath_rules(context):
        for operator, value in choice.body.items():
            if operator in TIMESTAMP_OPERATORS and isinstance(value, str) and not is_rfc3339(value) \
                    and not has_placeholder(value):
                yield Finding(
                    f"'{operator}' in Choice rule {choice.label} of state '{state.name}' takes an RFC 3339 "
                    f"timestamp such as \"2024-03-14T01:59:00Z\", not {quote(value)}.",
                    f"{choice.pointer}/{operator}", state=state.name, field=f"{choice.label}.{operator}",
                )


@rule("SW306", "choice-missing-default", Severity.WARNING)
def choice_missing_default(context: LintContext) -> Iterator[Finding]:
    """A Choice state has no `Default`.

    ## What it does
    Reports Choice states without a `Default` state.

    ## Why is this bad?
    When no rule matches, the execution fails with `States.NoChoiceMatched`. That is sometimes
    intended, but more often an input nobody thought of.

    ## Example
    ```yaml
    Route:
      Type: Choice
      Choices:
        - {Variable: $.kind, StringEquals: book, Next: Books}
    ```

    ## Use instead
    ```yaml
    Route:
      Type: Choice
      Choices:
        - {Variable: $.kind, StringEquals: book, Next: Books}
      Default: Other
    ```
    """
    for state in facts(context).states:
        if state.type == "Choice" and "Default" not in state.body:
            yield Finding(
                f"Choice state '{state.name}' has no 'Default': when no rule matches, the execution fails with "
                "States.NoChoiceMatched.",
                state.pointer, state=state.name, field="Default", at_key=True,
            )


@rule("SW307", "choice-condition-missing", Severity.ERROR)
def choice_condition_missing(context: LintContext) -> Iterator[Finding]:
    """A Choice rule in a JSONata state has no `Condition`.

    ## What it does
    In JSONata states each rule of `Choices` needs `Condition`: `true`, `false` or a `{% ... %}`
    expression. (A `Condition` of the wrong type is reported by the schema pass.)

    ## Why is this bad?
    AWS rejects the definition: without a condition the rule cannot be evaluated.

    ## Example
    ```yaml
    QueryLanguage: JSONata
    ...
      Choices:
        - {Next: Done}
    ```

    ## Use instead
    ```yaml
      Choices:
        - {Condition: "{% $states.input.ok %}", Next: Done}
    ```
    """
    known = facts(context)
    for state in known.jsonata_states:
        for choice in known.rules[state.pointer]:
            if "Condition" not in choice.body:
                yield Finding(
                    f"Choice rule {choice.label} of JSONata state '{state.name}' needs 'Condition'.",
                    choice.pointer, state=state.name, field=f"{choice.label}.Condition",
                )


# In StringMatches only "*" (any characters) is special; "\*" is a literal star and "\\" a backslash.
_BAD_ESCAPE = r"\\(?:[^*\\]|$)"  # compiled on first use (re's cache)


@rule("SW308", "string-matches-escape", Severity.WARNING)
def string_matches_escape(context: LintContext) -> Iterator[Finding]:
    """A `StringMatches` pattern has a backslash that escapes neither `*` nor `\\`.

    ## What it does
    Reports backslashes in `StringMatches` patterns other than `\\*` (a literal star) and `\\\\` (a
    literal backslash).

    ## Why is this bad?
    The only wildcard is `*`; patterns are not regular expressions, so `\\d` or `\\.` do not mean
    what they would in a regex.

    ## Example
    ```yaml
    - {Variable: $.file, StringMatches: "*\\.csv", Next: Csv}
    ```

    ## Use instead
    ```yaml
    - {Variable: $.file, StringMatches: "*.csv", Next: Csv}
    ```
    """
    for state, choice in _jsonpath_rules(context):
        pattern = choice.body.get("StringMatches")
        if isinstance(pattern, str) and re.search(_BAD_ESCAPE, pattern.replace("\\\\", "")):
            yield Finding(
                f"'StringMatches' pattern {quote(pattern)} in Choice rule {choice.label} of state '{state.name}' "
                "escapes a character other than '*' or '\\'; the pattern is not a regular expression.",
                f"{choice.pointer}/StringMatches", state=state.name, field=f"{choice.label}.StringMatches",
            )
