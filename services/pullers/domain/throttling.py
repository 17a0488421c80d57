"""How fast a channel may be called, and how long to wait after it said "too many".

Amazon states each operation's rate in the `x-amzn-RateLimit-Limit` header of its answers
(requests per second; the burst is documented per operation and not in the header). A 429 from
any channel is answered by waiting: as long as `Retry-After` says, else exponentially longer.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    burst: int

    def with_rate(self, header: str | None) -> RateLimit:
        """This limit with the rate a channel just stated; unchanged when it stated none."""
        rate = parse_rate(header)
        return self if rate is None or rate == self.per_second else RateLimit(rate, self.burst)


def parse_rate(header: str | None) -> float | None:
    if header is None:
        return None
    try:
        rate = float(header)
    except ValueError:
        return None
    return rate if rate > 0 else None


def backoff_s(attempt: int, *, base_s: float, retry_after: str | None = None) -> float:
    """Wait before try `attempt + 1` (attempt counts from 1)."""
    if retry_after is not None and retry_after.strip().isdigit():
        return min(float(retry_after), MAX_BACKOFF_S)
    return float(min(base_s * 2 ** (attempt - 1), MAX_BACKOFF_S))
