"""Shared by tests/ and conformance-tests/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.shared import SKIP_REASON, shared_conformance_dir


@pytest.fixture(scope="session")
def shared_conformance() -> Path:
    found = shared_conformance_dir()
    if found is None:
        pytest.skip(SKIP_REASON)
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In CI the corpus must be present: a silently skipped conformance run proves nothing."""
    if os.environ.get("CI") and shared_conformance_dir() is None:
        raise pytest.UsageError("CI run without ../shared/conformance: " + SKIP_REASON)
