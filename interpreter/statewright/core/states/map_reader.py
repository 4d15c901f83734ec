"""A Distributed Map's ``ItemReader`` (spec/map.md 15): the request the runtime carries out, and its answer.

The core does no I/O. A Map with an ``ItemReader`` asks the runtime for its items with an ``InvokeTask``
command whose resource is the reader's (``arn:aws:states:::s3:getObject``, ``...:s3:listObjectsV2``) and
whose payload is ``{"Parameters": <the evaluated Parameters or Arguments>, "ReaderConfig": {...}}``; the
runtime's reader (statewright.runtime.item_reader) answers with the list of items, or fails. No task event
is recorded for it: AWS records none either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ItemReader:
    """``ItemReader``, compiled.

    Attributes:
        resource: the reader's resource string.
        parameters: the compiled ``Parameters`` (JSONPath) or ``Arguments`` (JSONata), or None.
        config: ``ReaderConfig`` as written, without ``MaxItemsPath``.
        max_items_path: ``ReaderConfig.MaxItemsPath`` (JSONPath) or a JSONata ``MaxItems`` expression.
    """

    resource: str
    parameters: Any
    config: Mapping[str, Any]
    max_items_path: Any

    def request(self, effective: Any, context: Any, variables: Any, max_items: int | None) -> dict[str, Any]:
        parameters = self.parameters.evaluate(effective, context, variables) if self.parameters is not None else {}
        config = dict(self.config)
        if max_items is not None:
            config["MaxItems"] = max_items
        return {"Parameters": parameters, "ReaderConfig": config}


def compile_item_reader(definition: Mapping[str, Any] | None, parameters: Any,
                        max_items_path: Any) -> ItemReader | None:
    """The compiled reader of a Map's ``ItemReader`` field (None without one); ``parameters`` and
    ``max_items_path`` are compiled by the caller, in the state's query language."""
    if definition is None:
        return None
    config = dict(definition.get("ReaderConfig") or {})
    config.pop("MaxItemsPath", None)
    if max_items_path is not None:
        config.pop("MaxItems", None)
    return ItemReader(str(definition.get("Resource", "")), parameters, config, max_items_path)
