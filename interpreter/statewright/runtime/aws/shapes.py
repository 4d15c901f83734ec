"""SDK answers as JSON, the way Step Functions hands them to a state."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any


def json_value(value: Any) -> Any:
    """An SDK response value as JSON: timestamps as ISO 8601 text, blobs and streams as their text
    (base64 when they are not UTF-8), everything else as it is."""
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, datetime.datetime):
        text = value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, bytes | bytearray):
        return _text(bytes(value))
    if hasattr(value, "read") and callable(value.read):  # botocore's StreamingBody
        return _text(value.read())
    if value.__class__.__name__ == "Decimal":
        return int(value) if value == int(value) else float(value)
    return value


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii")


def sdk_metadata(response: dict[str, Any]) -> dict[str, Any]:
    """``SdkHttpMetadata`` and ``SdkResponseMetadata``, which the optimised integrations add to a result."""
    metadata = response.get("ResponseMetadata") or {}
    headers = {str(key): str(value) for key, value in (metadata.get("HTTPHeaders") or {}).items()}
    return {
        "SdkHttpMetadata": {"AllHttpHeaders": {key: [value] for key, value in headers.items()},
                            "HttpHeaders": headers, "HttpStatusCode": metadata.get("HTTPStatusCode", 200)},
        "SdkResponseMetadata": {"RequestId": metadata.get("RequestId", "")},
    }


def as_text(value: Any) -> Any:
    """A message body or input given as JSON data, sent as its JSON text (AWS serialises it so)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parsed(text: str) -> Any:
    """A JSON text as its value; text that is not JSON stays text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def epoch_millis(value: Any) -> Any:
    """A timestamp as the epoch milliseconds the Step Functions integration results carry."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return value
