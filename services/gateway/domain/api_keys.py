"""API keys: `crm_<id>_<secret>`. The id finds the key's record; only a hash of the secret is
stored, so a stolen copy of the database holds no usable key. The secret has 256 bits of
randomness, so one round of SHA-256 is enough (a slow password hash guards guessable secrets)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

PREFIX = "crm"
_KEY = re.compile(r"^crm_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
# `last_used_at` is written at most this often per key: a busy key costs no write per request.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class KeyParts:
    key_id: str
    secret: str


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    roles: tuple[str, ...]
    secret_hash: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None = None
    shop: str | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, hash_secret(secret))

    def needs_touch(self, now: datetime) -> bool:
        return self.last_used_at is None or now - self.last_used_at >= LAST_USED_PRECISION

    def revoked(self, at: datetime) -> ApiKey:
        return replace(self, revoked_at=self.revoked_at or at)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(key: str) -> KeyParts | None:
    """The parts of a well-formed key; None for anything else (maybe a JWT, maybe garbage)."""
    match = _KEY.match(key)
    return KeyParts(match.group(1), match.group(2)) if match else None


def new_key(
    *,
    name: str,
    roles: tuple[str, ...],
    now: datetime,
    created_by: str,
    expires_at: datetime | None = None,
    shop: str | None = None,
) -> tuple[ApiKey, str]:
    """A new key's record and the key itself (shown once, never stored)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = ApiKey(
        id=key_id,
        name=name,
        roles=roles,
        secret_hash=hash_secret(secret),
        created_at=now,
        created_by=created_by,
        expires_at=expires_at,
        shop=shop,
    )
    return record, f"{PREFIX}_{key_id}_{secret}"
