"""SW203's reason is true of the definition: a state named only by unreachable states says so."""

from __future__ import annotations

from statewright.lint.engine import lint_value


def _unreachable(definition: dict) -> dict[str, str]:
    return {d.state: d.message for d in lint_value(definition) if d.code == "SW203"}


def test_a_state_named_only_by_unreachable_states_names_them() -> None:
    found = _unreachable({
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Succeed"},
            "Route": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Charge"}],
                      "Default": "Charge"},
            "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                       "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
            "Failed": {"Type": "Fail"},
            "Other": {"Type": "Pass", "Next": "Failed"},
        },
    })
    assert found["Route"].endswith("cannot be reached from StartAt 'Start': no Next, Default or Catch names it.")
    # Named by a Choice's rule Next and its Default, once.
    assert found["Charge"].endswith("it is reachable only from unreachable state 'Route'.")
    # Named by a catcher and by a Next, both of unreachable states.
    assert found["Failed"].endswith("it is reachable only from unreachable states 'Charge', 'Other'.")
    assert "no Next" not in found["Charge"] + found["Failed"]


def test_a_state_that_only_names_itself() -> None:
    found = _unreachable({
        "StartAt": "Start",
        "States": {"Start": {"Type": "Succeed"}, "Spin": {"Type": "Pass", "Next": "Spin"}},
    })
    assert found["Spin"].endswith(": only its own transitions name it.")
