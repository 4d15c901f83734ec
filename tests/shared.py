"""Where the AWS-recorded conformance corpus lies, for tests/ and conformance-tests/ alike."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_REASON = (
    "the AWS-recorded conformance corpus (../shared/conformance beside this clone) is absent; "
    "set STATEWRIGHT_SHARED_CONFORMANCE to its folder"
)


def shared_conformance_dir() -> Path | None:
    """``../shared/conformance`` beside the clone, or ``$STATEWRIGHT_SHARED_CONFORMANCE``; None if absent."""
    override = os.environ.get("STATEWRIGHT_SHARED_CONFORMANCE")
    candidate = Path(override) if override else ROOT.parent / "shared" / "conformance"
    return candidate if (candidate / "index.json").is_file() else None
