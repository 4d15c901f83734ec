"""Fixtures for the source layer tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from statewright.source import yaml_reader

_PARSERS = [pytest.param(yaml.BaseLoader, id="python-parser")]
if hasattr(yaml, "CBaseLoader"):
    _PARSERS.insert(0, pytest.param(yaml.CBaseLoader, id="libyaml-parser"))


@pytest.fixture(params=_PARSERS)
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[type]:
    """Run a YAML test once with libyaml (when present) and once with PyYAML's pure-Python parser."""
    monkeypatch.setattr(yaml_reader, "LOADER", request.param)
    yield request.param
