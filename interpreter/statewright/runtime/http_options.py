"""What the engine's HTTP client is configured with and answers, without importing the client.

Importing aiohttp costs a process about 0.2 s (it builds a TLS context as it loads); a run that calls no
HTTP resource should not pay it. The engine takes these types at start-up and loads ``http_client.py``
when the first HTTP task runs.
"""

from __future__ import annotations

from dataclasses import dataclass

SOCKET_ERROR = "States.Http.Socket"
HOST_NOT_ALLOWED = "Statewright.Http.HostNotAllowed"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
TASK_FAILED = "States.TaskFailed"

# AWS's limit on a task result (and on payloads in general): 256 KiB.
PAYLOAD_LIMIT = 256 * 1024


@dataclass(frozen=True, slots=True)
class HttpOptions:
    """Limits of the engine's HTTP client.

    Attributes:
        allow_hosts: host names (``api.example.com``, ``*.example.com``) or addresses requests may go to;
            None allows every host except link-local (metadata) addresses.
        limit: connections open at once, all hosts together.
        limit_per_host: connections open at once to one host (protects one service from a wide Map).
        connect_timeout: seconds to connect (DNS, TCP and TLS) before failing with States.Http.Socket.
        read_timeout: seconds without a byte from the server before failing with States.Http.Socket
            (None: only the state's TimeoutSeconds bounds a slow response).
        max_request_bytes: largest request body.
        max_response_bytes: largest response body (bigger fails with States.DataLimitExceeded).
        user_agent: the User-Agent header.
    """

    allow_hosts: tuple[str, ...] | None = None
    limit: int = 200
    limit_per_host: int = 100
    connect_timeout: float = 10.0
    read_timeout: float | None = 60.0
    max_request_bytes: int = PAYLOAD_LIMIT
    max_response_bytes: int = PAYLOAD_LIMIT
    user_agent: str = ""  # "" means statewright/<version>


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A response read whole: status, reason, headers (name -> values, in order received), body bytes."""

    status: int
    reason: str
    headers: dict[str, list[str]]
    body: bytes
    content_type: str
