"""The JSON 1.0 protocol from the client's side: ``POST /`` with ``X-Amz-Target``, errors read from ``__type``.

urllib, not aiohttp or boto3: a command makes a handful of requests one after another, and the standard
library keeps ``statewright describe`` quick to start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

DEFAULT_ENDPOINT = "http://127.0.0.1:8083"
_TARGET_PREFIX = "AWSStepFunctions."
_CONTENT_TYPE = "application/x-amz-json-1.0"


class StepFunctionsError(Exception):
    """The API refused a request: ``code`` is AWS's error code (``ExecutionDoesNotExist``), as botocore reads it."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class EndpointUnreachable(Exception):
    """Nothing answered at the endpoint, or what answered does not speak the Step Functions API."""

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(f"cannot reach the Statewright server at {endpoint}: {reason}")
        self.endpoint = endpoint
        self.reason = reason


class StepFunctionsClient:
    """Calls actions of the Step Functions API at ``endpoint`` (for example ``http://127.0.0.1:8083``)."""

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, *, timeout: float = 60.0) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout

    def call(self, action: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run ``action`` (``"StartExecution"``) with the request document ``params``; returns the response.

        Raises:
            StepFunctionsError: the API answered with an error (its code and message).
            EndpointUnreachable: no answer, or an answer that is not the API's.
        """
        # Imported here, not at module level: every `statewright` command registers this client's
        # subcommands, and urllib.request with http.client costs ~20 ms of a lint run's start-up.
        import http.client
        import urllib.error
        import urllib.request

        body = json.dumps(params or {}).encode()
        try:
            request = urllib.request.Request(self.endpoint + "/", data=body, method="POST", headers={
                "Content-Type": _CONTENT_TYPE, "X-Amz-Target": _TARGET_PREFIX + action})
        except ValueError as error:  # not a URL urllib can open ("localhost:8083" without http://)
            raise EndpointUnreachable(self.endpoint, f"{error} (give a URL such as {DEFAULT_ENDPOINT})") from None
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return self._document(response.status, response.read())
        except urllib.error.HTTPError as error:
            raise self._error(error.code, error.read()) from None
        except urllib.error.URLError as error:
            reason = error.reason
            raise EndpointUnreachable(self.endpoint, getattr(reason, "strerror", None) or str(reason)) from None
        except TimeoutError:
            raise EndpointUnreachable(self.endpoint, f"no answer within {self.timeout:g} s") from None
        except (ConnectionError, http.client.HTTPException) as error:  # dropped or garbled
            raise EndpointUnreachable(self.endpoint, str(error) or type(error).__name__) from None

    def paginate(self, action: str, params: dict[str, Any], key: str, *, limit: int | None = None,
                 page_size: int = 1000) -> Iterator[dict[str, Any]]:
        """The items of list ``key`` across every page (``nextToken``), at most ``limit`` of them."""
        token: str | None = None
        given = 0
        while True:
            wanted = page_size if limit is None else min(page_size, limit - given)
            page = self.call(action, {**params, "maxResults": wanted, **({"nextToken": token} if token else {})})
            for item in page.get(key, []):
                yield item
                given += 1
                if limit is not None and given >= limit:
                    return
            token = page.get("nextToken")
            if not token:
                return

    def _document(self, status: int, body: bytes) -> dict[str, Any]:
        try:
            document = json.loads(body or b"{}")
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise EndpointUnreachable(self.endpoint, f"HTTP {status} with an answer that is not the Step "
                                                     "Functions API's (is another program on that port?)")
        return document

    def _error(self, status: int, body: bytes) -> Exception:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if not isinstance(document, dict) or "__type" not in document:
            return EndpointUnreachable(self.endpoint, f"HTTP {status} with an answer that is not the Step "
                                                      "Functions API's (is another program on that port?)")
        # botocore keeps what follows '#' in __type; the message is "message" (or "Message" on some errors).
        code = str(document["__type"]).rpartition("#")[2]
        message = document.get("message", document.get("Message", ""))
        return StepFunctionsError(code, str(message), status)

