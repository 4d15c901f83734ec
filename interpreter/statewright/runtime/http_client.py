"""The engine's HTTP client: one pooled aiohttp session, bounded sizes, an SSRF guard (spec/http-tasks.md).

This module knows HTTP, not ASL: it sends one request and returns an :class:`HttpResponse`, or raises
:class:`~statewright.runtime.resources.TaskError` with the error names spec/http-tasks.md lists. Turning
Task parameters into requests and responses into task results is ``http_tasks.py``'s job.

Cancellation is the core's timeout: when a ``TimeoutSeconds`` or ``HeartbeatSeconds`` timer fires, the
driver cancels the task awaiting :meth:`HttpClient.request`; leaving the ``async with`` on a partly read
response makes aiohttp close (not pool) that connection, so nothing half-read is reused.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import ipaddress
import os
import socket
import ssl
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from statewright.runtime.http_options import (  # noqa: F401 - re-exported: callers import them from here too
    DATA_LIMIT_EXCEEDED,
    HOST_NOT_ALLOWED,
    PAYLOAD_LIMIT,
    SOCKET_ERROR,
    TASK_FAILED,
    HttpOptions,
    HttpResponse,
)
from statewright.runtime.resources import TaskError

# Cloud metadata services answer on link-local addresses (AWS/GCP/Azure 169.254.169.254, AWS IPv6
# fd00:ec2::254): a definition that can reach them can read the host's credentials. Refused always,
# whatever the allow-list says, unless the exact address is allowed (see spec/http-tasks.md, SSRF).
_METADATA = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"),
             ipaddress.ip_network("fd00:ec2::254/128"))


def user_agent() -> str:
    """``statewright/<version>``, the User-Agent of every request."""
    try:
        return f"statewright/{importlib.metadata.version('statewright')}"
    except importlib.metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "statewright"


def host_allowed(host: str, allow: Iterable[str] | None) -> bool:
    """True when ``host`` matches an entry of ``allow`` (exact, or ``*.suffix`` for subdomains)."""
    if allow is None:
        return True
    host = host.lower().rstrip(".")
    for entry in allow:
        entry = entry.lower().rstrip(".")
        if host == entry or (entry.startswith("*.") and host.endswith(entry[1:])):
            return True
    return False


def is_metadata_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return any(ip in network for network in _METADATA)


class GuardedResolver(AbstractResolver):
    """Resolves names, then drops link-local answers, so a DNS name cannot lead to the metadata service.

    Checking after resolution (not the URL's text) also covers DNS rebinding and names like
    ``169.254.169.254.nip.io``.
    """

    def __init__(self, allowed_addresses: frozenset[str]) -> None:
        self._inner = DefaultResolver()
        self._allowed = allowed_addresses

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        kept = [a for a in answers if a["host"] in self._allowed or not is_metadata_address(a["host"])]
        if not kept:
            raise OSError(f"{host} resolves only to link-local (cloud metadata) addresses, which are refused")
        return kept

    async def close(self) -> None:
        await self._inner.close()


class HttpClient:
    """One pooled :class:`aiohttp.ClientSession` per engine, created on first use in the running loop.

    The session is closed by :meth:`aclose`, or, when nobody calls it, when the event loop that created
    it shuts down (``asyncio.run`` finalises async generators; the client parks one that closes the
    session), so the default engine leaves no "Unclosed client session" warning behind.
    """

    def __init__(self, options: HttpOptions | None = None) -> None:
        self.options = options or HttpOptions()
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closer: AsyncIterator[None] | None = None

    async def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is not None and self._loop is loop and not self._session.closed:
            return self._session
        options = self.options
        allowed = frozenset(h for h in options.allow_hosts or () if is_metadata_address(h))
        connector = aiohttp.TCPConnector(
            limit=options.limit, limit_per_host=options.limit_per_host, ssl=ssl.create_default_context(),
            resolver=GuardedResolver(allowed),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=options.connect_timeout,
                                          sock_read=options.read_timeout),
            headers={"User-Agent": options.user_agent or user_agent()},
            auto_decompress=True,
        )
        self._loop = loop
        self._closer = _close_at_loop_end(self._session)
        await anext(self._closer)
        return self._session

    async def aclose(self) -> None:
        """Close the session (idempotent); a later request opens a new one."""
        session, self._session, closer, self._closer = self._session, None, self._closer, None
        if session is not None and not session.closed and self._loop is asyncio.get_running_loop():
            await session.close()
        if closer is not None:
            await closer.aclose()  # type: ignore[attr-defined]

    def check_host(self, url: Any) -> None:
        """Raise :data:`HOST_NOT_ALLOWED` for a URL the allow-list or the metadata rule refuses."""
        host = url.host or ""
        allow = self.options.allow_hosts
        if is_metadata_address(host) and not (allow and host in allow):
            raise TaskError(HOST_NOT_ALLOWED, f"Requests to the link-local address {host} (cloud metadata) "
                            "are refused; allow it explicitly with --allow-host if you mean it")
        if not host_allowed(host, allow):
            raise TaskError(HOST_NOT_ALLOWED, f"The host '{host}' is not in the allow-list "
                            f"({', '.join(allow or ())}); add it with --allow-host {host}")

    async def request(
        self, method: str, url: Any, *, headers: Mapping[str, str], body: bytes | None,
    ) -> HttpResponse:
        """Send one request and read the whole response (at most ``max_response_bytes``)."""
        self.check_host(url)
        options = self.options
        if body is not None and len(body) > options.max_request_bytes:
            raise TaskError(DATA_LIMIT_EXCEEDED, f"The request body is {len(body)} bytes, over the limit of "
                            f"{options.max_request_bytes} bytes")
        session = await self.session()
        try:
            async with session.request(method, url, headers=headers, data=body, allow_redirects=False) as response:
                data = await _read_bounded(response, options.max_response_bytes)
                headers_out: dict[str, list[str]] = {}
                for name, value in response.headers.items():
                    headers_out.setdefault(name, []).append(value)
                return HttpResponse(response.status, response.reason or "", headers_out, data,
                                    response.content_type)
        except TaskError:
            raise
        except aiohttp.ClientConnectorCertificateError as error:
            raise TaskError(SOCKET_ERROR, f"TLS certificate verification failed for {url.host}: "
                            f"{error.certificate_error}") from None
        except aiohttp.ClientSSLError as error:
            raise TaskError(SOCKET_ERROR, f"TLS handshake with {url.host} failed: {error}") from None
        except aiohttp.ClientConnectorDNSError as error:
            raise TaskError(SOCKET_ERROR, f"DNS lookup of {url.host} failed: {error.os_error}") from None
        except aiohttp.ClientConnectorError as error:
            number = error.os_error.errno
            reason = os.strerror(number) if number else str(error.os_error)
            raise TaskError(SOCKET_ERROR, f"Connection to {url.host}:{url.port} failed: {reason}") from None
        except (aiohttp.ServerTimeoutError, TimeoutError):
            raise TaskError(SOCKET_ERROR, f"Timed out talking to {url.host}:{url.port} (connect timeout "
                            f"{options.connect_timeout}s, read timeout {options.read_timeout}s)") from None
        except aiohttp.ClientError as error:
            raise TaskError(SOCKET_ERROR, f"HTTP exchange with {url.host}:{url.port} failed: "
                            f"{type(error).__name__}: {error}") from None


async def _read_bounded(response: aiohttp.ClientResponse, limit: int) -> bytes:
    # Reads at most limit + 1 bytes: enough to know the body is too big without buffering all of it.
    length = response.content_length
    if length is not None and length > limit:
        raise TaskError(DATA_LIMIT_EXCEEDED, f"The response body is {length} bytes (Content-Length), over the "
                        f"limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await response.content.read(limit + 1 - size)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise TaskError(DATA_LIMIT_EXCEEDED, f"The response body is over the limit of {limit} bytes")


async def _close_at_loop_end(session: aiohttp.ClientSession) -> AsyncIterator[None]:
    # Parked after its first step; the loop's shutdown_asyncgens() runs the finally block.
    try:
        yield
    finally:
        if not session.closed:
            await session.close()
