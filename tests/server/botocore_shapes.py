"""Every response checked against botocore's ``stepfunctions`` service model, as the raw JSON left the server.

:func:`attach` registers a ``before-parse`` hook on a boto3 client: each response body is walked with the
operation's output shape (or, for a 400, the error it names must be one the model knows for that
operation, or a protocol error); an unknown member, a missing required member, a wrong type or a value
outside an enum raises AssertionError from the call itself, so a test cannot miss it.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

# Errors any operation may answer with, besides those its model lists.
_PROTOCOL_ERRORS = {"ValidationException", "UnknownOperationException", "SerializationException", "InternalFailure",
                    "ThrottlingException"}


def check(shape: Shape, value: Any, where: str) -> None:
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        assert isinstance(value, dict), f"{where}: expected a structure, got {value!r}"
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{where}: members not in the model's {shape.name}: {sorted(unknown)}"
        missing = [name for name in shape.required_members if name not in value]
        assert not missing, f"{where}: required members of {shape.name} missing: {missing}"
        for name, member in value.items():
            assert member is not None, f"{where}.{name}: null (AWS omits a member it has no value for)"
            check(shape.members[name], member, f"{where}.{name}")
    elif isinstance(shape, ListShape):
        assert isinstance(value, list), f"{where}: expected a list, got {value!r}"
        for index, item in enumerate(value):
            check(shape.member, item, f"{where}[{index}]")
    elif isinstance(shape, MapShape):
        assert isinstance(value, dict), f"{where}: expected a map, got {value!r}"
        for key, item in value.items():
            check(shape.key, key, f"{where}.<key>")
            check(shape.value, item, f"{where}[{key!r}]")
    elif kind == "string":
        assert isinstance(value, str), f"{where}: expected a string, got {value!r}"
        if shape.enum:
            assert value in shape.enum, f"{where}: {value!r} is not one of {shape.enum}"
        limits = shape.metadata
        if "max" in limits:
            assert len(value) <= limits["max"], f"{where}: longer than {limits['max']}"
        if "min" in limits:
            assert len(value) >= limits["min"], f"{where}: shorter than {limits['min']}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: expected an integer, got {value!r}"
    elif kind in ("float", "double"):
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{where}: expected a number"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{where}: expected a boolean, got {value!r}"
    elif kind == "timestamp":
        # The JSON 1.0 protocol sends dates as epoch seconds.
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{where}: expected epoch seconds"
    elif kind == "blob":
        assert isinstance(value, str), f"{where}: expected base64 text"
    else:
        raise AssertionError(f"{where}: shape type {kind} not handled by this checker")


def check_response(operation: OperationModel, status: int, body: bytes) -> None:
    document = json.loads(body) if body else {}
    if status >= 400:
        code = str(document.get("__type", "")).rpartition("#")[2]
        known = {error.name for error in operation.error_shapes} | _PROTOCOL_ERRORS
        assert code in known, f"{operation.name} answered {code!r}, not an error its model lists: {sorted(known)}"
        assert isinstance(document.get("message"), str) and document["message"], f"{code} without a message"
        return
    if operation.output_shape is None:
        assert document == {}, f"{operation.name}: the model has no output, got {document!r}"
        return
    check(operation.output_shape, document, operation.name)


def attach(client: Any) -> Any:
    """Check every response ``client`` receives (returns the client)."""

    def before_parse(operation_model: OperationModel, response_dict: dict[str, Any], **_: Any) -> None:
        check_response(operation_model, response_dict["status_code"], response_dict["body"])

    client.meta.events.register("before-parse.sfn.*", before_parse)
    return client
