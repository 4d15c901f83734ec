"""Member names between Step Functions' PascalCase and the service model's own spelling.

Step Functions writes every SDK parameter and result member in PascalCase, whatever the service's API
uses (``StateMachineArn`` for Step Functions' own ``stateMachineArn``). botocore wants the model's names,
so parameters are renamed on the way in and result members on the way out, guided by the operation's
input and output shapes: only structure members are renamed, never the keys of a map (a DynamoDB item's
attribute names, a tag map) or the contents of a document.
"""

from __future__ import annotations

from typing import Any


def pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def to_model(value: Any, shape: Any) -> Any:
    """``value`` (PascalCase members) with the members renamed as ``shape`` spells them."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        by_pascal = {pascal(name): name for name in members}
        out = {}
        for key, item in value.items():
            name = key if key in members else by_pascal.get(pascal(key), key)
            out[name] = to_model(item, members.get(name))
        return out
    if kind == "list" and isinstance(value, list):
        return [to_model(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: to_model(item, shape.value) for key, item in value.items()}
    return value


def from_model(value: Any, shape: Any) -> Any:
    """A response ``value`` with its structure members in PascalCase (``ResponseMetadata`` dropped)."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {pascal(key): from_model(item, members.get(key)) for key, item in value.items()
                if key != "ResponseMetadata"}
    if kind == "list" and isinstance(value, list):
        return [from_model(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: from_model(item, shape.value) for key, item in value.items()}
    return value


def operation_model(client: Any, operation: str) -> Any:
    return client.meta.service_model.operation_model(operation)
