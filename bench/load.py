"""Ways to put load on a server: as fast as N clients go, or at a fixed rate.

A fixed-rate (open-loop) run starts request i at `start + i / rate` whatever the server does, and
measures each latency from that planned start: a server that stalls makes the requests behind
it late, and their latency shows it (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, Self

import aiohttp

from shared.load_shedding import BUSY

# What a request answers: whether it worked, or SHED when the server refused it at the door
# (503 `busy`, `shared.load_shedding`: nothing done, come back in a moment), which is counted
# apart from the requests that failed.
SHED: Final = "shed"
Outcome = bool | Literal["shed"]


@dataclass(frozen=True)
class Latencies:
    """Seconds per request, how many requests failed, and how many the server shed."""

    seconds: tuple[float, ...]
    failed: int = 0
    shed: int = 0

    @classmethod
    def joined(cls, parts: Sequence[Latencies]) -> Latencies:
        return cls(
            tuple(s for p in parts for s in p.seconds),
            sum(p.failed for p in parts),
            sum(p.shed for p in parts),
        )

    @property
    def succeeded(self) -> int:
        return len(self.seconds)

    def percentile(self, p: float) -> float:
        if not self.seconds:
            return float("nan")
        ordered = sorted(self.seconds)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary_ms(self) -> dict[str, float]:
        return {
            "p50_ms": self.percentile(50) * 1000,
            "p95_ms": self.percentile(95) * 1000,
            "p99_ms": self.percentile(99) * 1000,
            "requests": len(self.seconds) + self.failed + self.shed,
            "failed": self.failed,
            "shed": self.shed,
        }


async def closed_loop(
    count: int, work: Callable[[int], Awaitable[None]], *, concurrency: int = 16
) -> float:
    """Items per second for `count` calls of `work`, `concurrency` at a time."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            await work(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


async def fixed_rate(
    rate: float, duration_s: float, request: Callable[[int], Awaitable[Outcome]]
) -> Latencies:
    """Call `request(i)` `rate` times a second for `duration_s`; it answers whether it worked,
    or SHED."""
    count = max(1, int(rate * duration_s))
    start = time.perf_counter() + 0.05
    seconds: list[float] = []
    failed = shed = 0

    async def one(i: int) -> None:
        nonlocal failed, shed
        planned = start + i / rate
        await asyncio.sleep(max(0.0, planned - time.perf_counter()))
        outcome = await request(i)
        if outcome == SHED:
            shed += 1
        elif outcome:
            seconds.append(time.perf_counter() - planned)
        else:
            failed += 1

    await asyncio.gather(*(one(i) for i in range(count)))
    return Latencies(tuple(seconds), failed, shed)


class Responded(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Answer:
    """What the load generator keeps of a response."""

    status_code: int
    text: str


def was_shed(response: Responded) -> bool:
    """Whether the server refused the request at the door: 503 naming the problem `busy` (as
    problem+json, or in a console page)."""
    return response.status_code == 503 and BUSY.problem.type in response.text


# Room for 512 requests in flight, as an open-loop run needs once the server slows down.
CONNECTIONS = 512


class OpenLoopClient:
    """An HTTP client for load: one aiohttp session, its connections kept open.

    The load generator shares the machine with what it measures, so every millisecond of its
    processor is one the services lack. A lookup at 20/s cost the generator 2.3 ms of CPU with
    httpx and 0.9 ms with aiohttp (the same run, alternating), a twelfth of what the lookup
    costs the whole machine. (httpx had a further trap: httpcore 1.0's pool scans all its
    connections for every request it places, encode/httpcore#1035, which burnt a core at 100
    requests a second once hundreds were open.)

    A request the server did not answer (a timeout, a dropped connection) answers None.
    """

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None) -> None:
        self._base_url = base_url
        self._headers = headers
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        self._session = aiohttp.ClientSession(
            self._base_url,
            headers=self._headers,
            timeout=aiohttp.ClientTimeout(total=60, sock_read=30),
            connector=aiohttp.TCPConnector(limit=CONNECTIONS),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> Answer | None:
        return await self._request("GET", url, headers=headers)

    async def post(
        self, url: str, *, content: bytes, headers: dict[str, str] | None = None
    ) -> Answer | None:
        return await self._request("POST", url, data=content, headers=headers)

    async def _request(self, method: str, url: str, **kwargs: Any) -> Answer | None:
        if self._session is None:
            raise RuntimeError("use the client in `async with`")
        try:
            async with self._session.request(method, url, **kwargs) as response:
                return Answer(response.status, await response.text())
        except (aiohttp.ClientError, TimeoutError):
            return None


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median, lowest and highest of repeated measurements of one figure."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
    }
