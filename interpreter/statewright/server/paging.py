"""``nextToken``: an opaque token over the last key a page returned (AWS's tokens are opaque strings too)."""

from __future__ import annotations

import base64
import binascii

from statewright.server.protocol import ApiError


def page_token(key: str) -> str:
    return base64.urlsafe_b64encode(f"sw1:{key}".encode()).decode()


def page_after(token: str | None) -> str | None:
    """The key a token was made from; None for no token (raises InvalidToken for one this server never made)."""
    if token is None:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith("sw1:"):
        raise ApiError("InvalidToken", f"Invalid Token: '{token[:64]}' is not a nextToken this server returned")
    return text[4:]
