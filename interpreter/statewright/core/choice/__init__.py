"""Choice rules compiled once into plain Python closures (spec/choice.md, JSONPath rules 6-10).

``compile_choice_rules`` turns the ``Choices`` array into :class:`CompiledRule` objects. Paths are
parsed and literal operands converted (timestamps to nanoseconds, strings to UTF-16 order keys)
at compile time, and every operator gets its own closure, so evaluating a rule does no dict look-up
of operator names and no parsing.

Semantics, as AWS evaluates them (calibrated on the AWS-recorded ``choice_operators`` cases):

* A value of the wrong type makes a comparison false, never an error (``NumericEquals`` on ``"1"``,
  ``BooleanEquals`` on ``0``, ``StringEquals`` on ``null``). JSON booleans are not numbers.
* Numbers compare by value: ``1`` equals ``1.0``.
* Strings order by UTF-16 code units, as Java's ``String.compareTo`` does.
* Timestamps compare as instants (offsets applied), and only strings that are valid timestamps
  (:mod:`statewright.core.timestamps`) take part.
* A ``Variable`` (or ``...Path`` operand) that matches nothing fails the state with
  ``States.Runtime``, except under ``IsPresent``, which is then false.
"""

from statewright.core.choice.comparisons import OPERATORS, compile_string_pattern
from statewright.core.choice.paths import ChoiceRuleError, Test
from statewright.core.choice.rules import (
    CompiledRule,
    compile_choice_rule,
    compile_choice_rules,
    compile_condition,
)

__all__ = [
    "OPERATORS",
    "ChoiceRuleError",
    "CompiledRule",
    "Test",
    "compile_choice_rule",
    "compile_choice_rules",
    "compile_condition",
    "compile_string_pattern",
]
