"""Connections: credentials from environment variables, applied to requests, never in the history."""

from __future__ import annotations

import asyncio
import json
import os

import statewright
from tests.http.server import Endpoint, serve, task


def test_connection_secrets_never_reach_the_history() -> None:
    os.environ["SW_TEST_API_KEY"] = "key-1234567890-secret"
    os.environ["SW_TEST_PASSWORD"] = "pw-0987654321-secret"
    connections = {
        "payments": {"ApiKeyAuthParameters": {"ApiKeyName": "X-Api-Key", "ApiKeyValue": {"env": "SW_TEST_API_KEY"}}},
        "billing": {"BasicAuthParameters": {"Username": "svc", "Password": {"env": "SW_TEST_PASSWORD"}}},
    }

    async def scenario() -> tuple[list[statewright.Result], Endpoint]:
        results = []
        async with serve() as endpoint, statewright.Engine(connections=connections) as engine:
            for name in ("payments", "billing"):
                arn = f"arn:aws:events:us-east-1:123456789012:connection/{name}/0f9a"
                definition = task("arn:aws:states:::http:invoke", Parameters={
                    "ApiEndpoint": f"{endpoint.base}/echo", "Method": "POST", "RequestBody": {"x": 1},
                    "Authentication": {"ConnectionArn": arn}})
                results.append(await engine.execute(statewright.load(definition), {}))
        return results, endpoint

    results, endpoint = asyncio.run(scenario())
    assert endpoint.requests[0]["headers"]["X-Api-Key"] == "key-1234567890-secret"  # the endpoint got it
    assert endpoint.requests[1]["headers"]["Authorization"].startswith("Basic ")
    for result in results:
        assert result.status == "SUCCEEDED", result.cause
        rendered = json.dumps(result.history) + json.dumps(result.output)
        assert "secret" not in rendered and "Basic c3Zj" not in rendered
        assert "***" in rendered  # the echoed credential was scrubbed, not dropped silently
        scheduled = next(e for e in result.history if e["type"] == "TaskScheduled")
        assert "connection/" in json.dumps(scheduled)  # only the ConnectionArn is recorded


def test_oauth_client_credentials_fetches_one_token_and_scrubs_it() -> None:
    os.environ["SW_TEST_CLIENT_SECRET"] = "client-secret-value"

    async def scenario() -> tuple[list[statewright.Result], Endpoint]:
        results = []
        async with serve() as endpoint:
            connections = {"crm": {"OAuthParameters": {
                "AuthorizationEndpoint": f"{endpoint.base}/oauth/token",
                "ClientParameters": {"ClientID": "sw", "ClientSecret": {"env": "SW_TEST_CLIENT_SECRET"}}}}}
            async with statewright.Engine(connections=connections) as engine:
                definition = task("arn:aws:states:::http:invoke", Parameters={
                    "ApiEndpoint": f"{endpoint.base}/echo", "Method": "GET",
                    "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/crm/x"}})
                for _ in range(2):
                    results.append(await engine.execute(statewright.load(definition), {}))
        return results, endpoint

    results, endpoint = asyncio.run(scenario())
    paths = [r["path"] for r in endpoint.requests]
    assert paths == ["/oauth/token", "/echo", "/echo"]  # the token is cached
    assert endpoint.requests[0]["body"] == "grant_type=client_credentials"
    assert endpoint.requests[1]["headers"]["Authorization"] == "Bearer tok-abcdef123456"
    for result in results:
        assert result.status == "SUCCEEDED", result.cause
        assert "tok-abcdef123456" not in json.dumps(result.history)
