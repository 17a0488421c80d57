"""Double opt-in tokens: single use, expiring, stored only as a keyed hash.

The raw token exists in two places only: the confirmation link the person receives, and that
link sealed for the mailer inside `DoubleOptInRequested`. The consent database holds its HMAC,
which proves a presented token without being usable as one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict

SEALING_INFO = b"consent double opt-in link"


class TokenState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"


class DoubleOptInRequest(BaseModel):
    """A mail asking the person to confirm a consent, waiting for the click on its link."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The token's keyed hash (`token_digest`): what identifies the request.
    digest: str
    # The message that asked for the mail.
    request_id: str
    customer_id: str
    purpose: str
    channel: str | None = None
    email: str
    text: str | None = None
    text_version: str | None = None
    requested_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    # The confirmation message that used the token.
    used_by: str | None = None

    def token_state(self, now: datetime) -> TokenState:
        return token_state(expires_at=self.expires_at, used_at=self.used_at, now=now)


class LinkNotReadable(Exception):
    """The sealed link was not sealed with this key, or was altered."""


def new_token() -> str:
    # 256 bits from the OS's CSPRNG, URL-safe.
    return secrets.token_urlsafe(32)


def token_digest(secret: bytes, token: str) -> str:
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


def token_state(*, expires_at: datetime, used_at: datetime | None, now: datetime) -> TokenState:
    if used_at is not None:
        return TokenState.USED
    if now >= expires_at:
        return TokenState.EXPIRED
    return TokenState.VALID


def confirm_url(base: str, token: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{urlencode({'token': token})}"


def _fernet(secret: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEALING_INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: bytes, value: str) -> str:
    return _fernet(secret).encrypt(value.encode()).decode()


def unseal(secret: bytes, sealed: str) -> str:
    """What a mailer does with `sealed_confirm_url`."""
    try:
        return _fernet(secret).decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise LinkNotReadable("the sealed link cannot be opened with this key") from error


def masked_email(email: str) -> str:
    """a***@example.com: enough for a supporter to recognise, not to read out."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
