"""Per-principal request limits with the `limits` library: a sliding window counter per
principal, kept in this process's memory (each replica counts its own requests; a principal
spread over n replicas may reach up to n times the limit)."""

from __future__ import annotations

import math
import time

import limits
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter


class RateLimits:
    def __init__(self, limit: str) -> None:
        self.item = limits.parse(limit)
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def retry_after(self, principal_id: str) -> int | None:
        """None if the principal may make this request; else the seconds to wait."""
        if await self.limiter.hit(self.item, principal_id):
            return None
        stats = await self.limiter.get_window_stats(self.item, principal_id)
        return max(1, math.ceil(stats.reset_time - time.time()))
