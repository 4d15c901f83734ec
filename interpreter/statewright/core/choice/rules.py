"""Choice rules as a whole: top-level rules with their ``Next``, and And/Or/Not over comparisons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from statewright.core.choice.comparisons import NOT_OPERATORS, OPERATORS, compile_comparison
from statewright.core.choice.paths import ChoiceRuleError, Test, parse_rule_path


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One top-level rule of a Choice state, ready to evaluate.

    ``rule.matches(input, context=None, variables=None) -> bool`` tells whether the rule matches
    the state's effective input (after ``InputPath``). ``context`` is the ``$$`` object, or a
    zero-argument callable returning it, called only when a ``$$`` path is read (so the interpreter
    can build it lazily); ``variables`` maps workflow variable names to values for ``$name`` paths.
    It raises :class:`StatesError` (``States.Runtime``) when a path matches nothing, outside
    ``IsPresent``. ``matches`` is the compiled closure itself, stored as a field rather than
    wrapped in a method: the wrapper would add a quarter to the cost of a simple rule.

    Attributes:
        next: the state to go to when the rule matches.
        matches: the compiled test, as described above.
        assign: the rule's raw ``Assign`` (the interpreter evaluates it), or ``None``.
        output: the rule's raw ``Output`` (JSONata), or ``None``.
        condition: the raw JSONata ``Condition``; ``None`` for JSONPath rules. A JSONata rule is
            evaluated by the interpreter, which owns the JSONata engine; ``matches`` only handles a
            literal ``true``/``false`` condition and raises ``TypeError`` for an expression.
        source: the rule as written.
    """

    next: str
    matches: Test = field(repr=False, compare=False)
    assign: Any = None
    output: Any = None
    condition: Any = None
    source: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def compile_choice_rules(choices: Sequence[Mapping[str, Any]]) -> tuple[CompiledRule, ...]:
    """Compile a Choice state's ``Choices`` array, in order.

    Raises:
        ChoiceRuleError: a rule is malformed (the message names its index).
    """
    compiled = []
    for index, rule in enumerate(choices):
        try:
            compiled.append(compile_choice_rule(rule))
        except ChoiceRuleError as exc:
            raise ChoiceRuleError(f"Choices[{index}]: {exc}") from None
    return tuple(compiled)


def compile_choice_rule(rule: Mapping[str, Any]) -> CompiledRule:
    """Compile one top-level rule (it must have ``Next``)."""
    if not isinstance(rule, Mapping):
        raise ChoiceRuleError(f"a choice rule must be an object, not {rule!r}")
    target = rule.get("Next")
    if not isinstance(target, str):
        raise ChoiceRuleError("a top-level choice rule needs 'Next' naming a state")
    if "Condition" in rule:
        condition = rule["Condition"]
        test: Test = _constant(condition) if isinstance(condition, bool) else _jsonata_only
        return CompiledRule(target, test, rule.get("Assign"), rule.get("Output"), condition, rule)
    return CompiledRule(target, compile_condition(rule), rule.get("Assign"), rule.get("Output"), None, rule)


def compile_condition(rule: Mapping[str, Any]) -> Test:
    """Compile a JSONPath rule (top-level or nested) to ``test(input, context, variables) -> bool``."""
    if not isinstance(rule, Mapping):
        raise ChoiceRuleError(f"a choice rule must be an object, not {rule!r}")
    boolean = [key for key in ("And", "Or", "Not") if key in rule]
    if boolean:
        if len(boolean) > 1 or "Variable" in rule:
            raise ChoiceRuleError(f"a rule takes one of And/Or/Not and no Variable, found {boolean}")
        return _compile_boolean(boolean[0], rule[boolean[0]])
    operators = [key for key in rule if key not in NOT_OPERATORS]
    if "Variable" not in rule or len(operators) != 1:
        raise ChoiceRuleError(
            f"a comparison needs 'Variable' and exactly one operator, found {sorted(operators)}"
        )
    name = operators[0]
    if name not in OPERATORS:
        raise ChoiceRuleError(f"unknown comparison operator '{name}'")
    variable = parse_rule_path(rule["Variable"], "Variable")
    return compile_comparison(name, variable, rule[name])


# ---------------------------------------------------------------------------------------------
# Boolean rules


def _compile_boolean(kind: str, operand: Any) -> Test:
    if kind == "Not":
        inner = compile_condition(operand)
        return lambda i, c=None, v=None: not inner(i, c, v)
    if not isinstance(operand, list) or not operand:
        raise ChoiceRuleError(f"'{kind}' needs a non-empty array of rules")
    tests = tuple(compile_condition(item) for item in operand)
    if kind == "And":
        if len(tests) == 2:  # the common case, without a loop
            first, second = tests
            return lambda i, c=None, v=None: first(i, c, v) and second(i, c, v)

        def all_of(i: Any, c: Any = None, v: Any = None) -> bool:
            return all(test(i, c, v) for test in tests)

        return all_of
    if len(tests) == 2:
        first, second = tests
        return lambda i, c=None, v=None: first(i, c, v) or second(i, c, v)

    def any_of(i: Any, c: Any = None, v: Any = None) -> bool:
        return any(test(i, c, v) for test in tests)

    return any_of


def _constant(value: bool) -> Test:
    return lambda i, c=None, v=None: value


def _jsonata_only(i: Any, c: Any = None, v: Any = None) -> bool:
    raise TypeError("a JSONata Condition is evaluated by the interpreter, not by CompiledRule.matches")
