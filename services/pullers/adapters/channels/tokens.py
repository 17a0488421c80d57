"""Access tokens: fetched when needed, kept until shortly before they expire, renewed early
when the channel says a token expired (a clock ahead of ours, a token revoked)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Renew this long before the expiry the channel stated, so no call carries a dying token.
MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime


@dataclass
class TokenSource:
    fetch: Callable[[], Awaitable[tuple[str, float]]]
    clock: Callable[[], datetime]
    _token: Token | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    async def get(self) -> str:
        async with self._lock:
            now = self.clock()
            if self._token is None or now >= self._token.expires_at - MARGIN:
                value, lifetime_s = await self.fetch()
                self._token = Token(value, now + timedelta(seconds=lifetime_s))
            return self._token.value

    def forget(self) -> None:
        self._token = None
