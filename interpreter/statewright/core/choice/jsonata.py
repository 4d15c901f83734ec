"""JSONata Choice rules: ``Condition`` is an expression that must give a boolean (spec/jsonata.md,
"Choice"). The rule answers ``matches`` like a JSONPath :class:`~statewright.core.choice.CompiledRule`,
so the Choice state runs either kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from statewright.core.jsonata import (
    UNDEFINED,
    Value,
    compile_value,
    states_binding,
    undefined_error,
)
from statewright.core.jsonata.template import unexpected_type


@dataclass(frozen=True, slots=True)
class JsonataRule:
    """One JSONata Choice rule: ``Condition`` (an expression or a literal boolean) and ``Next``."""

    condition: Value
    next: str

    def matches(self, effective: Any, context: Any, variables: Mapping[str, Any] | None) -> bool:
        result = self.condition.evaluate_raw(states_binding(effective, context), variables)
        if result is UNDEFINED:
            raise undefined_error(self.condition.payload, self.condition.field)
        if result.__class__ is not bool:
            raise unexpected_type(self.condition, result, "boolean")
        return result


def compile_jsonata_rules(choices: Any) -> tuple[JsonataRule, ...]:
    return tuple(JsonataRule(compile_value(rule.get("Condition"), f"Choices[{index}]/Condition"), rule["Next"])
                 for index, rule in enumerate(choices))
