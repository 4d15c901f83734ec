"""HTTP Task resources (spec/http-tasks.md): ``arn:aws:states:::http:invoke`` and URL resources.

A resolver in the engine's resource chain, after registered callables (so a test can still register a
function for a URL). It turns an :class:`Invocation` into one request through :class:`HttpClient` and the
response into the task result or a ``(error, cause)`` failure:

* ``arn:aws:states:::http:invoke``: AWS's HTTP Task. ``ApiEndpoint``, ``Method``, ``Headers``,
  ``QueryParameters``, ``RequestBody``, ``Transform`` and ``Authentication.ConnectionArn`` in the payload;
  the result is ``{"Headers", "ResponseBody", "StatusCode", "StatusText"}``.
* ``https://...`` / ``http://...`` (extension): POST the payload as JSON, the JSON body is the result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from statewright.runtime.connections import Connections, scrub
from statewright.runtime.http_options import PAYLOAD_LIMIT, TASK_FAILED, HttpOptions, HttpResponse
from statewright.runtime.resources import Handler, Invocation, TaskError, strip_pattern_suffix
from statewright.source import strict_json

if TYPE_CHECKING:
    from statewright.runtime.http_client import HttpClient

HTTP_INVOKE = "arn:aws:states:::http:invoke"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ARRAY_FORMATS = ("INDICES", "REPEAT", "COMMAS", "BRACKETS")
_CAUSE_LIMIT = 32_768  # AWS's limit on a cause string
_KEY_NAMESPACE = uuid.UUID("8f0c8a3e-3f0e-4d5c-9d43-5bb2c3d0a6f1")


def idempotency_key(invocation: Invocation) -> str:
    """Stable for one attempt of one state visit: re-sending it after a crash gives the same key.

    ``seq`` numbers the command within the execution (the same on every replay of its history), so it
    tells two visits of the same state apart; ``attempt`` tells retries apart. The key is the UUID version 5
    of those in :data:`_KEY_NAMESPACE`, made here without the ``uuid.UUID`` objects (the durable runtime
    records one per task command; ``tests/http`` holds it equal to ``uuid.uuid5``).
    """
    return key_of(invocation.execution_arn, invocation.state, invocation.seq, invocation.attempt)


def key_of(execution_arn: str, state: str, seq: int, attempt: int) -> str:
    """:func:`idempotency_key` of an invocation with these fields."""
    name = f"{execution_arn}\n{state}\n{seq}\n{attempt}"
    digest = bytearray(hashlib.sha1(_KEY_PREFIX + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_KEY_PREFIX = _KEY_NAMESPACE.bytes


def definition_options(definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{state name: its Statewright field}`` for every Task that has one, nested states included.

    The core does not carry extension fields in InvokeTask, so the runtime reads them from the
    definition; state names are unique across a whole state machine (spec/states.md), so the name is key.
    """
    found: dict[str, dict[str, Any]] = {}
    stack = [definition]
    while stack:
        node = stack.pop()
        for name, state in (node.get("States") or {}).items():
            if not isinstance(state, Mapping):
                continue
            if isinstance(state.get("Statewright"), Mapping):
                found[name] = dict(state["Statewright"])
            stack.extend(b for b in state.get("Branches") or () if isinstance(b, Mapping))
            for key in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(key), Mapping):
                    stack.append(state[key])
    return found


class HttpTasks:
    """Calls HTTP resources for one engine.

    Args:
        client: the engine's pooled client, or the options to make it with when the first HTTP task runs
            (aiohttp, which it needs, takes a tenth of a second and more to import).
        connections: named credentials for ``Authentication.ConnectionArn``.
        callback_url: base URL of a callback listener; ``.waitForTaskToken`` requests then carry
            ``Statewright-Callback-Url: <base>/task/<token>`` (spec/http-tasks.md, "Callbacks").
    """

    def __init__(self, client: HttpClient | HttpOptions, connections: Connections | None = None,
                 callback_url: str | None = None) -> None:
        self._client: HttpClient | None = None
        self._options: HttpOptions | None = None
        if isinstance(client, HttpOptions):
            self._options = client
        else:
            self._client = client
        self.connections = connections or Connections()
        self.callback_url = callback_url

    @property
    def client(self) -> HttpClient:
        """The pooled client, made on first use."""
        if self._client is None:
            from statewright.runtime.http_client import HttpClient

            assert self._options is not None
            self._client = HttpClient(self._options)
        return self._client

    async def aclose(self) -> None:
        """Close the client's pooled connections, if a client was ever made."""
        if self._client is not None:
            await self._client.aclose()

    def resolver(self, options: Mapping[str, dict[str, Any]] | None = None) -> Any:
        """A resolver for the chain; ``options`` are the definition's ``Statewright`` fields by state."""
        options = options or {}

        def resolve(invocation: Invocation) -> Handler | None:
            bare = strip_pattern_suffix(invocation.resource)
            if bare == HTTP_INVOKE:
                return self.invoke
            if bare.startswith(("https://", "http://")):
                extension = options.get(invocation.state)
                return lambda inv: self.call_url(inv, bare, extension)
            return None

        return resolve

    # --- the two resource forms ----------------------------------------------------------------------------

    async def call_url(self, invocation: Invocation, url: str, extension: Mapping[str, Any] | None) -> Any:
        """The URL form: POST (or ``Statewright.Method``) the payload as JSON; the JSON body is the result."""
        extension = extension or {}
        method = str(extension.get("Method", "POST")).upper()
        headers = {"Accept": "application/json", **self._common_headers(invocation)}
        headers.update({str(k): str(v) for k, v in (extension.get("Headers") or {}).items()})
        body = None
        if method not in ("GET", "DELETE", "HEAD"):
            body = _json_bytes(invocation.payload, invocation.state)
            headers.setdefault("Content-Type", "application/json")
        from yarl import URL  # with the client: only a run that calls HTTP loads them

        response = await self.client.request(method, URL(url, encoded=False), headers=headers, body=body)
        _raise_for_status(response, [])
        if not response.body.strip():
            return None
        try:
            return strict_json.loads(response.body)
        except ValueError:
            raise TaskError(TASK_FAILED, f"The response of {method} {url} for state '{invocation.state}' is not "
                            f"JSON: {_text(response.body)[:200]!r}") from None

    async def invoke(self, invocation: Invocation) -> Any:
        """``arn:aws:states:::http:invoke``: AWS's HTTP Task."""
        params = invocation.payload
        state = invocation.state
        if not isinstance(params, Mapping):
            raise TaskError(TASK_FAILED, f"The parameters of HTTP Task '{state}' must be an object, got {params!r}")
        endpoint = params.get("ApiEndpoint")
        method = params.get("Method")
        if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
            raise TaskError(TASK_FAILED, f"The field 'ApiEndpoint' of HTTP Task '{state}' must be an http(s) "
                            f"URL, got {endpoint!r}")
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise TaskError(TASK_FAILED, f"The field 'Method' of HTTP Task '{state}' must be one of "
                            f"{', '.join(METHODS)}, got {method!r}")
        method = method.upper()
        headers = self._common_headers(invocation)
        headers.update({str(k): _scalar(v) for k, v in _mapping(params, "Headers", state).items()})
        query = {str(k): _scalar(v) for k, v in _mapping(params, "QueryParameters", state).items()}
        body = self._request_body(params, headers, state)
        secrets: list[str] = []
        auth = params.get("Authentication")
        if isinstance(auth, Mapping) and auth.get("ConnectionArn"):
            before_h, before_q = dict(headers), dict(query)
            await self.connections.find(str(auth["ConnectionArn"])).apply(headers, query, self.client)
            # Whatever the connection added is secret for this call: scrub it from the result and cause.
            secrets = [v for k, v in headers.items() if before_h.get(k) != v and len(v) >= 4]
            secrets += [v for k, v in query.items() if before_q.get(k) != v and len(v) >= 4]
            secrets += [s.split(" ", 1)[1] for s in secrets if " " in s]
        from yarl import URL

        url = URL(endpoint, encoded=False)
        if query:
            url = url.update_query(query)
        response = await self.client.request(method, url, headers=headers, body=body)
        _raise_for_status(response, secrets)
        return scrub(http_result(response), secrets)

    # --- helpers -------------------------------------------------------------------------------------------

    def _common_headers(self, invocation: Invocation) -> dict[str, str]:
        headers = {"Idempotency-Key": invocation.idempotency_key or idempotency_key(invocation)}
        if invocation.token is not None and self.callback_url:
            headers["Statewright-Callback-Url"] = f"{self.callback_url}/task/{invocation.token}"
        return headers

    def _request_body(self, params: Mapping[str, Any], headers: dict[str, str], state: str) -> bytes | None:
        if "RequestBody" not in params:
            return None
        body = params["RequestBody"]
        transform = params.get("Transform")
        if isinstance(transform, Mapping) and transform.get("RequestBodyEncoding") == "URL_ENCODED":
            options = transform.get("RequestEncodingOptions") or {}
            array_format = str(options.get("ArrayFormat", "INDICES")) if isinstance(options, Mapping) else "INDICES"
            if array_format not in ARRAY_FORMATS:
                raise TaskError(TASK_FAILED, f"ArrayFormat of HTTP Task '{state}' must be one of "
                                f"{', '.join(ARRAY_FORMATS)}, got {array_format!r}")
            if not isinstance(body, Mapping):
                raise TaskError(TASK_FAILED, f"A URL_ENCODED RequestBody of HTTP Task '{state}' must be an object")
            _set_default(headers, "Content-Type", "application/x-www-form-urlencoded")
            return url_encode(body, array_format).encode()
        if isinstance(body, str):
            _set_default(headers, "Content-Type", "text/plain; charset=utf-8")
            return body.encode()
        _set_default(headers, "Content-Type", "application/json")
        return _json_bytes(body, state)


def http_result(response: HttpResponse) -> dict[str, Any]:
    """The result shape of AWS's HTTP Task: headers as lists of values, a JSON body parsed."""
    body: Any = _text(response.body)
    if response.body and "json" in response.content_type:
        # Declared JSON but is not: hand over the text, as with any non-JSON body.
        with contextlib.suppress(ValueError):
            body = strict_json.loads(response.body)
    return {"Headers": response.headers, "ResponseBody": body, "StatusCode": response.status,
            "StatusText": response.reason}


def url_encode(body: Mapping[str, Any], array_format: str) -> str:
    """``RequestBodyEncoding: URL_ENCODED`` with ``ArrayFormat`` INDICES / REPEAT / COMMAS / BRACKETS."""
    pairs: list[tuple[str, str]] = []

    def add(key: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                add(f"{key}[{k}]", v)
        elif isinstance(value, list):
            if array_format == "COMMAS":
                pairs.append((key, ",".join(_scalar(v) for v in value)))
            for index, item in enumerate(value if array_format != "COMMAS" else ()):
                name = {"INDICES": f"{key}[{index}]", "BRACKETS": f"{key}[]"}.get(array_format, key)
                add(name, item)
        else:
            pairs.append((key, _scalar(value)))

    for key, value in body.items():
        add(str(key), value)
    return "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in pairs)


def _raise_for_status(response: HttpResponse, secrets: list[str]) -> None:
    if 200 <= response.status < 300:
        return
    cause = scrub(_text(response.body), secrets)
    raise TaskError(f"States.Http.StatusCode.{response.status}", cause[:_CAUSE_LIMIT])


def _set_default(headers: dict[str, str], name: str, value: str) -> None:
    if not any(k.lower() == name.lower() for k in headers):
        headers[name] = value


def _mapping(params: Mapping[str, Any], field: str, state: str) -> Mapping[str, Any]:
    value = params.get(field) or {}
    if not isinstance(value, Mapping):
        raise TaskError(TASK_FAILED, f"The field '{field}' of HTTP Task '{state}' must be an object, got {value!r}")
    return value


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _json_bytes(value: Any, state: str) -> bytes:
    data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    if len(data) > PAYLOAD_LIMIT:
        raise TaskError("States.DataLimitExceeded", f"The request body of state '{state}' is {len(data)} bytes, "
                        f"over the limit of {PAYLOAD_LIMIT} bytes")
    return data


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")
