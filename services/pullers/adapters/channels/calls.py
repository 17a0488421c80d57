"""One call to a channel's API: tried again after throttling and passing failures.

A 429 waits as long as `Retry-After` says, else exponentially longer; 5xx answers, timeouts and
broken connections are tried again the same way. Whatever else the channel answers is returned
for the channel's client to read (a 401 or 403 may mean an expired token it can renew).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from services.pullers.domain.throttling import backoff_s
from services.pullers.use_cases.ports import ChannelUnavailable

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Retrying:
    attempts: int
    backoff_s: float
    sleep: Sleep = asyncio.sleep

    async def call(
        self, what: str, send: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response:
        for attempt in range(1, self.attempts + 1):
            retry_after: str | None = None
            try:
                response = await send()
            except httpx.TransportError as error:
                reason = f"{type(error).__name__}: {error}"
            else:
                if response.status_code != 429 and response.status_code < 500:
                    return response
                retry_after = response.headers.get("retry-after")
                reason = f"HTTP {response.status_code}"
            if attempt == self.attempts:
                raise ChannelUnavailable(f"{what}: {reason} after {attempt} tries")
            wait = backoff_s(attempt, base_s=self.backoff_s, retry_after=retry_after)
            log.info("%s: %s, trying again in %.1f s", what, reason, wait)
            await self.sleep(wait)
        raise AssertionError("unreachable")


def error_text(response: httpx.Response) -> str:
    """A channel's error answer, short enough for a log line and the integration's state."""
    return f"HTTP {response.status_code}: {response.text[:300]}"
