"""Personal answer links of invitations: /invitation/<key><mac>/repondre.

`key` is random (128 bits) and stored on the invitation; `mac` is an HMAC of the key with
the application's secret. The key alone finds the row, the MAC proves the link came from
us, so a link cannot be guessed, altered or turned into another invitation's link. Keeping
the HMAC (not the link) in nothing but the secret lets a reminder send the same link again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

KEY_LENGTH = 22  # secrets.token_urlsafe(16)
MAC_LENGTH = 22  # 16 bytes of HMAC-SHA256, base64url without padding
_SHAPE = re.compile(rf"^[A-Za-z0-9_-]{{{KEY_LENGTH + MAC_LENGTH}}}$")


def new_key() -> str:
    return secrets.token_urlsafe(16)


def _mac(key: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, b"event-invitation:" + key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def token_for(key: str) -> str:
    return key + _mac(key)


def key_from(token: str) -> str | None:
    """The invitation key if `token` is one of our links, else None (never raises)."""
    if not isinstance(token, str) or not _SHAPE.match(token):
        return None
    key, mac = token[:KEY_LENGTH], token[KEY_LENGTH:]
    if not hmac.compare_digest(mac, _mac(key)):
        return None
    return key


def answer_url(key: str) -> str:
    """Absolute link for e-mails (BASE_URL, not the request's host; jobs have no request).
    Must match the route of `app.events.rsvp`."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/invitation/{token_for(key)}/repondre"
