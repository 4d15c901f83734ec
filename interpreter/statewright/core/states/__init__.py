"""One compiled class per state type, named as the spec names them (spec/states.md)."""

from statewright.core.states.base import State
from statewright.core.states.choice import ChoiceState
from statewright.core.states.fail import FailState
from statewright.core.states.map import ItemBatcher, MapState
from statewright.core.states.parallel import ParallelState
from statewright.core.states.pass_ import PassState
from statewright.core.states.succeed import SucceedState
from statewright.core.states.task import TaskState
from statewright.core.states.wait import WaitState

__all__ = [
    "ChoiceState",
    "FailState",
    "ItemBatcher",
    "MapState",
    "ParallelState",
    "PassState",
    "State",
    "SucceedState",
    "TaskState",
    "WaitState",
]
