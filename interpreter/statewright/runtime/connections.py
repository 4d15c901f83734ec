"""Named connections: the credentials an HTTP Task's ``Authentication.ConnectionArn`` refers to.

AWS keeps them in EventBridge connections (secrets in Secrets Manager); Statewright keeps them in its
config file, and the secret values themselves in environment variables or files, never in the
definition, the history or logs (spec/http-tasks.md, "Connections"). The config uses EventBridge's
field names so a connection reads the same in both places::

    connections:
      stripe:                                   # matches .../connection/stripe/<id> or the name alone
        ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: {env: STRIPE_KEY}}
      billing:
        BasicAuthParameters: {Username: svc, Password: {file: /run/secrets/billing}}
      crm:
        OAuthParameters:
          AuthorizationEndpoint: https://auth.example.com/token
          ClientParameters: {ClientID: sw, ClientSecret: {env: CRM_SECRET}}
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statewright.runtime.resources import TaskError

_SECRET_FIELDS = {"ApiKeyValue", "Password", "ClientSecret"}
REDACTED = "***"


class ConfigError(Exception):
    """A Statewright config file (connections, http) that cannot be read or has the wrong shape."""


@dataclass(frozen=True, slots=True)
class Secret:
    """Where a secret lives: an environment variable or a file. Read at request time, never stored."""

    env: str | None = None
    file: str | None = None

    def read(self) -> str:
        if self.env is not None:
            value = os.environ.get(self.env)
            if value is None:
                raise TaskError("States.TaskFailed", f"The environment variable {self.env} (a connection secret) "
                                "is not set")
            return value
        try:
            return Path(self.file or "").read_text(encoding="utf-8").strip()
        except OSError as error:
            raise TaskError("States.TaskFailed", f"Cannot read the connection secret file {self.file}: "
                            f"{error.strerror or error}") from None


def _secret(value: Any, where: str) -> Secret:
    if isinstance(value, Mapping) and set(value) in ({"env"}, {"file"}) and all(isinstance(v, str) for v in
                                                                                 value.values()):
        return Secret(env=value.get("env"), file=value.get("file"))
    raise ConfigError(f"{where} is a secret: write {{env: VARIABLE}} or {{file: PATH}}, not the value itself")


@dataclass(slots=True)
class Connection:
    """One named connection; :meth:`apply` adds its credentials to a request's headers and query."""

    name: str
    arn: str | None = None
    api_key: tuple[str, Secret] | None = None
    basic: tuple[str, Secret] | None = None
    oauth: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    _token: tuple[str, float] | None = None  # (access token, expiry on the monotonic clock)
    _lock: asyncio.Lock | None = None

    def secrets(self) -> list[str]:
        """The secret values currently configured (to scrub them from results and causes)."""
        found = []
        for secret in (self.api_key, self.basic):
            if secret is not None:
                found.append(_quiet(secret[1]))
        if self.oauth is not None:
            found.append(_quiet(self.oauth["secret"]))
        if self._token is not None:
            found.append(self._token[0])
        return [s for s in found if s]

    async def apply(self, headers: dict[str, str], query: dict[str, str], client: Any) -> None:
        headers.update(self.headers)
        query.update(self.query)
        if self.api_key is not None:
            headers[self.api_key[0]] = self.api_key[1].read()
        if self.basic is not None:
            pair = f"{self.basic[0]}:{self.basic[1].read()}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        if self.oauth is not None:
            headers["Authorization"] = "Bearer " + await self._oauth_token(client)

    async def _oauth_token(self, client: Any) -> str:
        # Client-credentials grant, cached until 30 s before it expires; one fetch at a time per connection.
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token is not None and time.monotonic() < self._token[1]:
                return self._token[0]
            oauth = self.oauth or {}
            from yarl import URL

            pair = f"{oauth['client_id']}:{oauth['secret'].read()}".encode()
            form = {"grant_type": "client_credentials", **oauth.get("body", {})}
            body = "&".join(f"{k}={v}" for k, v in form.items()).encode()
            response = await client.request(
                oauth.get("method", "POST"), URL(oauth["endpoint"]), body=body,
                headers={"Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
                         "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            )
            try:
                document = json.loads(response.body)
                token = str(document["access_token"])
                lifetime = float(document.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError):
                raise TaskError("States.TaskFailed", f"The OAuth endpoint of connection '{self.name}' answered "
                                f"{response.status} without an access_token") from None
            self._token = (token, time.monotonic() + max(0.0, lifetime - 30))
            return token


def _quiet(secret: Secret) -> str:
    try:
        return secret.read()
    except TaskError:
        return ""


class Connections:
    """The configured connections, found by ConnectionArn (exact ARN, or the name inside it)."""

    def __init__(self, connections: Mapping[str, Connection] | None = None) -> None:
        self._by_name = dict(connections or {})

    @classmethod
    def from_config(cls, section: Any, where: str = "connections") -> Connections:
        if section is None:
            return cls()
        if not isinstance(section, Mapping):
            raise ConfigError(f"{where} must be an object of connection names to their settings")
        return cls({str(name): _connection(str(name), value, f"{where}.{name}") for name, value in section.items()})

    def __len__(self) -> int:
        return len(self._by_name)

    def find(self, arn: str) -> Connection:
        """The connection for ``arn`` (``arn:aws:events:...:connection/<name>/<id>``, or a bare name)."""
        for connection in self._by_name.values():
            if connection.arn == arn:
                return connection
        name = arn.split(":connection/", 1)[1].split("/", 1)[0] if ":connection/" in arn else arn
        connection = self._by_name.get(name)
        if connection is None:
            known = ", ".join(sorted(self._by_name)) or "none configured"
            raise TaskError("States.TaskFailed", f"No connection named '{name}' is configured for ConnectionArn "
                            f"'{arn}' (known: {known}); add it under 'connections:' in the --config file")
        return connection

    def secrets(self) -> list[str]:
        return [s for c in self._by_name.values() for s in c.secrets()]


def _connection(name: str, value: Any, where: str) -> Connection:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be an object")
    known = {"Arn", "ApiKeyAuthParameters", "BasicAuthParameters", "OAuthParameters", "InvocationHttpParameters"}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)} (expected {', '.join(sorted(known))})")
    connection = Connection(name, arn=value.get("Arn"))
    if "ApiKeyAuthParameters" in value:
        part = _object(value["ApiKeyAuthParameters"], f"{where}.ApiKeyAuthParameters")
        connection.api_key = (str(part.get("ApiKeyName", "")), _secret(part.get("ApiKeyValue"),
                                                                       f"{where}.ApiKeyAuthParameters.ApiKeyValue"))
    if "BasicAuthParameters" in value:
        part = _object(value["BasicAuthParameters"], f"{where}.BasicAuthParameters")
        connection.basic = (str(part.get("Username", "")), _secret(part.get("Password"),
                                                                   f"{where}.BasicAuthParameters.Password"))
    if "OAuthParameters" in value:
        part = _object(value["OAuthParameters"], f"{where}.OAuthParameters")
        client = _object(part.get("ClientParameters"), f"{where}.OAuthParameters.ClientParameters")
        extra = _object(part.get("OAuthHttpParameters", {}), f"{where}.OAuthParameters.OAuthHttpParameters")
        connection.oauth = {
            "endpoint": str(part.get("AuthorizationEndpoint", "")), "method": str(part.get("HttpMethod", "POST")),
            "client_id": str(client.get("ClientID", "")),
            "secret": _secret(client.get("ClientSecret"), f"{where}.OAuthParameters.ClientParameters.ClientSecret"),
            "body": {str(k): str(v) for k, v in _object(extra.get("BodyParameters", {}), where).items()},
        }
    if "InvocationHttpParameters" in value:
        part = _object(value["InvocationHttpParameters"], f"{where}.InvocationHttpParameters")
        connection.headers = {str(k): str(v) for k, v in _object(part.get("HeaderParameters", {}), where).items()}
        connection.query = {str(k): str(v) for k, v in
                            _object(part.get("QueryStringParameters", {}), where).items()}
    return connection


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be an object")
    return value


def scrub(value: Any, secrets: list[str]) -> Any:
    """``value`` with every occurrence of a secret replaced by ``***`` (results and causes we record)."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in value.items()}
    return value


def load_config(path: str | Path) -> tuple[Connections, dict[str, Any]]:
    """Read a Statewright config file (YAML or JSON): ``connections:`` and ``http:`` sections.

    Returns:
        The connections and the ``http`` section's settings (keyword arguments of ``HttpOptions``).

    Raises:
        ConfigError: unreadable file or wrong shape.
    """
    from statewright.source import SourceError, parse_source

    path = Path(path)
    try:
        document = parse_source(path.read_bytes(), filename=str(path)).value
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    except SourceError as error:
        raise ConfigError(str(error)) from None
    if not isinstance(document, Mapping):
        raise ConfigError(f"{path}: expected an object with 'connections:' and/or 'http:'")
    unknown = sorted(set(document) - {"connections", "http"})
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(unknown)} (expected connections, http)")
    http = document.get("http") or {}
    allowed = {"allow_hosts", "limit", "limit_per_host", "connect_timeout", "read_timeout", "max_request_bytes",
               "max_response_bytes"}
    if not isinstance(http, Mapping) or set(http) - allowed:
        raise ConfigError(f"{path}: 'http:' takes only {', '.join(sorted(allowed))}")
    options = dict(http)
    if "allow_hosts" in options:
        options["allow_hosts"] = tuple(str(h) for h in options["allow_hosts"] or ())
    return Connections.from_config(document.get("connections"), f"{path}: connections"), options
