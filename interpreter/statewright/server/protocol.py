"""The Step Functions wire protocol: AWS JSON 1.0 requests in, JSON documents or AWS error shapes out.

A request is ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Action>`` and a JSON object body. Each action
is an async function registered with :func:`operation`; it takes the server context and a :class:`Params`
over the body, returns the response document, and raises :class:`ApiError` for any failure the client
should see. An error goes out as AWS writes it: HTTP 400 with ``{"__type": "<namespace>#<Code>",
"message": ...}``, which botocore turns into ``ClientError`` with ``Error.Code == <Code>``.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"

# Where AWS files each error code (the part of __type before '#'; botocore keeps what follows it).
_SERVICE_NAMESPACE = "com.amazonaws.swf.service.v2.model"
_CORAL_NAMESPACES = {
    "ValidationException": "com.amazon.coral.validate",
    "UnknownOperationException": "com.amazon.coral.service",
    "SerializationException": "com.amazon.coral.service",
    "InternalFailure": "com.amazon.coral.service",
}


class ApiError(Exception):
    """A failure the client sees as ``ClientError`` with ``Error.Code == code``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def document(self) -> dict[str, str]:
        namespace = _CORAL_NAMESPACES.get(self.code, _SERVICE_NAMESPACE)
        return {"__type": f"{namespace}#{self.code}", "message": self.message}


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


Handler = Callable[[Any, "Params"], Awaitable[dict[str, Any]]]
OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``AWSStepFunctions.<name>``."""

    def register(handler: Handler) -> Handler:
        if name in OPERATIONS:
            raise RuntimeError(f"two handlers for {name}")
        OPERATIONS[name] = handler
        return handler

    return register


@dataclass(frozen=True, slots=True)
class Params:
    """A request body with typed accessors whose errors name the member, as AWS's validation does."""

    body: dict[str, Any]

    def str(self, name: str, *, required: bool = False, max_length: int | None = None,
            default: str | None = None) -> str | None:
        value = self.body.get(name)
        if value is None:
            if required:
                raise validation(f"1 validation error detected: Value null at '{name}' failed to satisfy "
                                 "constraint: Member must not be null")
            return default
        if not isinstance(value, str):
            raise validation(f"Value at '{name}' must be a string")
        if max_length is not None and len(value) > max_length:
            raise validation(f"1 validation error detected: Value at '{name}' failed to satisfy constraint: "
                             f"Member must have length less than or equal to {max_length}")
        return value

    def required_str(self, name: str, *, max_length: int | None = None) -> str:
        value = self.str(name, required=True, max_length=max_length)
        assert value is not None
        return value

    def int(self, name: str, *, low: int, high: int, default: int | None = None) -> int | None:
        value = self.body.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not (math.isfinite(value) and value.is_integer())):
            raise validation(f"Value at '{name}' must be an integer")
        value = int(value)
        if not low <= value <= high:
            raise validation(f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
                             f"constraint: Member must have value between {low} and {high}")
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self.body.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise validation(f"Value at '{name}' must be a boolean")
        return value

    def list(self, name: str) -> list[Any]:
        value = self.body.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise validation(f"Value at '{name}' must be a list")
        return value

    def dict(self, name: str) -> dict[str, Any] | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise validation(f"Value at '{name}' must be a structure")
        return value


def decode_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ApiError("SerializationException", f"The request body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiError("SerializationException", "The request body must be a JSON object")
    return body


def encode(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document)


async def dispatch(context: Any, target: str | None, raw: bytes) -> tuple[int, dict[str, Any], str]:
    """Run one request: (HTTP status, response document, action name or "?" for the log)."""
    if not target or not target.startswith(TARGET_PREFIX):
        error = ApiError("UnknownOperationException", "Missing or malformed X-Amz-Target header "
                         f"(expected {TARGET_PREFIX}<Action>)")
        return error.status, error.document(), "?"
    action = target[len(TARGET_PREFIX):]
    handler = OPERATIONS.get(action)
    if handler is None:
        error = ApiError("UnknownOperationException", f"Unknown operation {action}")
        return error.status, error.document(), action
    try:
        return 200, await handler(context, Params(decode_body(raw))), action
    except ApiError as error:
        return error.status, error.document(), action
