"""Payload templates compiled to Python code: the object a template such as
``{"order.$": "$.order", "label.$": "States.Format('order-{}', $.order)", "ok": true}`` builds, made by one
generated function with the input's names read once each, instead of a loop over the template's entries.

Only templates made of constants, ``$.name`` paths, one-value ``States.Format`` calls and ``States.MathAdd``
of a name and a number (the shapes of most ``Parameters``, and of a counter) are compiled. The function gives
``None`` whenever the input is not an object holding every name, a value is not the common case, or anything
else goes wrong; the template then runs its general loop, which raises the error AWS names. Nothing here may
differ from that loop's result (tests/core/test_template_code.py checks it on generated templates and inputs).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from types import CodeType
from typing import Any

from statewright.core.intrinsics.text import format_text

# An entry: ("const", key, value) | ("input", key, name) | ("format", key, (prefix, name, suffix))
#   | ("add", key, (name, number)) for States.MathAdd($.name, number).
Entry = tuple[str, str, Any]
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1  # MathAdd's argument range (AWS: Java ints)
Builder = Callable[[Any], "dict[str, Any] | None"]


def object_builder(entries: Sequence[Entry]) -> Builder | None:
    """The generated function for these entries, or ``None`` when one is of another kind."""
    namespace: dict[str, Any] = {"format_text": format_text}
    names: dict[str, str] = {}  # input name -> local variable
    members = []
    guards = []  # conditions under which the general loop must run instead
    for index, (kind, key, payload) in enumerate(entries):
        namespace[f"k{index}"] = key
        if kind == "const":
            namespace[f"c{index}"] = payload
            members.append(f"k{index}: c{index}")
        elif kind == "input":
            members.append(f"k{index}: {_local(names, namespace, payload)}")
        elif kind == "format":
            prefix, name, suffix = payload
            value = _local(names, namespace, name)
            namespace[f"p{index}"], namespace[f"s{index}"] = prefix, suffix
            # What the template loop does for one formatted value (str as is, int by str, the rest as JSON).
            members.append(f"k{index}: p{index} + ({value} if {value}.__class__ is str else str({value}) "
                           f"if {value}.__class__ is int else format_text({value})) + s{index}")
        elif kind == "add":
            name, number = payload
            value = _local(names, namespace, name)
            namespace[f"c{index}"] = number
            # MathAdd's common case (core/intrinsics/functions.py): an int within Java's int range.
            guards.append(f"{value}.__class__ is not int or not {_INT32_MIN} <= {value} <= {_INT32_MAX}")
            members.append(f"k{index}: {value} + c{index}")
        else:
            return None
    reads = "".join(f"        {local} = input[{name_var}]\n" for name_var, local in names.values())
    source = (
        "def build(input):\n"
        "    if input.__class__ is not dict:\n"
        "        return None\n"
        "    try:\n"
        f"{reads}"
        + "".join(f"        if {guard}:\n            return None\n" for guard in guards)
        + f"        return {{{', '.join(members)}}}\n"
        "    except Exception:\n"
        "        return None\n"
    )
    exec(_code(source), namespace)  # our own source: the definition's keys and values are in namespace only
    return namespace["build"]  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=256)
def _code(source: str) -> CodeType:
    """The compiled source, shared by the templates of one shape (a 1,000-state chain compiles it once)."""
    return compile(source, "<statewright template>", "exec")


def _local(names: dict[str, Any], namespace: dict[str, Any], name: str) -> str:
    """The local variable that holds ``input[name]`` (one read per distinct name)."""
    if name not in names:
        index = len(names)
        namespace[f"n{index}"] = name
        names[name] = (f"n{index}", f"v{index}")
    return str(names[name][1])
