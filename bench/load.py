"""Ways to put load on a server: as fast as N clients go, or at a fixed rate.

A fixed-rate (open-loop) run starts request i at `start + i / rate` whatever the server does, and
measures each latency from that planned start: a server that stalls makes the requests behind
it late, and their latency shows it (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, Final, Literal, Self

import httpx

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


def was_shed(response: httpx.Response) -> bool:
    """Whether the server refused the request at the door: 503 naming the problem `busy` (as
    problem+json, or in a console page)."""
    return response.status_code == 503 and BUSY.problem.type in response.text


# 16 x 32: room for 512 requests in flight, each client's scan over at most 32 connections.
CLIENTS = 16
CONNECTIONS_EACH = 32


class OpenLoopClient:
    """An HTTP client for open-loop load: many small httpx clients taking requests in turn.

    httpcore 1.0's pool scans all its connections for every request it places
    (O(connections x queued requests), encode/httpcore#1035). One client with hundreds of
    connections open, as an open-loop run needs once the server slows down, burnt a whole core
    at 100 requests a second on a two-core machine: it starved the services it measured, which
    slowed them further (lookups at 100/s went from 19 ms to 14 s at p50). Each small client
    keeps its scan short; together they leave room for every request in flight.
    """

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None) -> None:
        self._clients = [
            httpx.AsyncClient(
                base_url=base_url,
                headers=headers,
                timeout=httpx.Timeout(30, pool=60),
                limits=httpx.Limits(max_connections=CONNECTIONS_EACH),
            )
            for _ in range(CLIENTS)
        ]
        self._turns = itertools.cycle(self._clients)
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> Self:
        for client in self._clients:
            await self._stack.enter_async_context(client)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await next(self._turns).get(url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await next(self._turns).post(url, **kwargs)


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median, lowest and highest of repeated measurements of one figure."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
    }
