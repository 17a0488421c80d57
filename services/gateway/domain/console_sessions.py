"""A person's session in the console: who signed in, until when, and the token every form of
the session carries against cross-site requests.

The browser holds only the session's token (a cookie); the gateway keeps the session under the
token's hash, so a stolen copy of its database opens no session. Who the session acts as is
checked again on every request (a revoked key ends its sessions at once).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.gateway.domain.principal import Principal


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def code_challenge(verifier: str) -> str:
    """PKCE (RFC 7636, S256): what the provider is told first, before the verifier proves it."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def same_token(given: str | None, expected: str) -> bool:
    """Constant time, so a guesser learns nothing from how long a refusal takes."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class ConsoleSession:
    id: str  # the hash of the cookie's token
    principal: Principal
    csrf_token: str
    created_at: datetime
    expires_at: datetime

    def open_at(self, now: datetime) -> bool:
        return now < self.expires_at

    def accepts_form(self, csrf_token: str | None) -> bool:
        return same_token(csrf_token, self.csrf_token)


def open_session(
    principal: Principal, now: datetime, lifetime: timedelta
) -> tuple[ConsoleSession, str]:
    """A new session and the token for the browser's cookie (kept nowhere else)."""
    token = new_token()
    session = ConsoleSession(
        id=token_hash(token),
        principal=principal,
        csrf_token=new_token(),
        created_at=now,
        expires_at=now + lifetime,
    )
    return session, token
