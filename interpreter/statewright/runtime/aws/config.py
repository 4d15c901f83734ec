"""Where AWS calls go and as whom: the SDK's own chain, plus per-service endpoint overrides (docs/aws.md).

Credentials, region and endpoints come from what boto3 users already configure: the environment
(``AWS_ACCESS_KEY_ID``, ``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_PROFILE``, ``AWS_ENDPOINT_URL`` and
``AWS_ENDPOINT_URL_<SERVICE>``, all read by botocore itself) and the shared config and credentials files.
``--aws-endpoint sqs=http://127.0.0.1:4566`` overrides one service's endpoint on top of that.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Resource names (as in arn:aws:states:::<service>:... and aws-sdk:<service>:...) whose boto3 client has
# another name.
_CLIENT_NAMES = {"eventbridge": "events", "stepfunctions": "stepfunctions", "states": "stepfunctions",
                 "sfn": "stepfunctions"}

_SERVICE = re.compile(r"[a-z0-9-]+\Z")


class AwsConfigError(ValueError):
    """An ``--aws-endpoint`` value that is not ``SERVICE=URL``."""


def client_name(service: str) -> str:
    """The boto3 client name of a resource's service name (``eventbridge`` -> ``events``)."""
    return _CLIENT_NAMES.get(service, service)


@dataclass(frozen=True)
class AwsConfig:
    """How the AWS integrations reach AWS or an AWS-compatible endpoint.

    Attributes:
        endpoints: boto3 client name -> endpoint URL, over what the environment says.
        region: the region, over the environment's (None: the SDK's chain; us-east-1 if it has none).
        profile: a named profile of the shared config files (None: the SDK's chain).
    """

    endpoints: Mapping[str, str] = field(default_factory=dict)
    region: str | None = None
    profile: str | None = None

    @classmethod
    def from_options(cls, endpoints: Iterable[str] = (), region: str | None = None,
                     profile: str | None = None) -> AwsConfig:
        """From ``--aws-endpoint SERVICE=URL`` values (repeatable)."""
        parsed: dict[str, str] = {}
        for text in endpoints:
            service, sep, url = text.partition("=")
            service = service.strip().lower()
            if not sep or not _SERVICE.match(service) or not url.startswith(("http://", "https://")):
                raise AwsConfigError(f"--aws-endpoint wants SERVICE=URL, such as sqs=http://127.0.0.1:4566; "
                                     f"got {text!r}")
            parsed[client_name(service)] = url.strip()
        return cls(parsed, region, profile)


class Clients:
    """boto3 clients, one per service, made on first use and shared (boto3 clients are thread-safe; the
    session that makes them is not, hence the lock)."""

    def __init__(self, config: AwsConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[str, Any] = {}

    def get(self, service: str) -> Any:
        name = client_name(service)
        client = self._clients.get(name)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(name)
            if client is None:
                client = self._clients[name] = self._make(name)
        return client

    def _make(self, name: str) -> Any:
        import boto3  # the statewright[aws] extra; imported only when a task first calls AWS
        from botocore.config import Config

        if self._session is None:
            self._session = boto3.session.Session(profile_name=self.config.profile)
        region = self.config.region or self._session.region_name or "us-east-1"
        options: dict[str, Any] = {"region_name": region,
                                   "config": Config(retries={"mode": "standard", "max_attempts": 3})}
        endpoint = self.config.endpoints.get(name)
        if endpoint:
            options["endpoint_url"] = endpoint
        return self._session.client(name, **options)
