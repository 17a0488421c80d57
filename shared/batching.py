"""Micro-batching for a consumer: many messages in one database transaction.

The database round trip, above all the commit, is what a processed message costs; taking up to
`size` messages, or what arrived within `wait_s`, and processing them together divides that cost
by the batch. FastStream has no batch subscriber for RabbitMQ, so the batch is formed here, on
top of the ordinary subscriber: RabbitMQ hands a consumer up to its prefetch of unacknowledged
messages at once, each in its own handler; each handler `submit`s its message and waits. The
batch handler runs once for the lot, and each waiting handler returns only after it committed,
so every message is acknowledged after the commit (a crash before leaves all of them
unacknowledged, and RabbitMQ delivers them again). The prefetch must be at least `size`.

A batch that fails says nothing about which message was at fault: each of its messages is then
processed on its own (`in_batches`), exactly as without batching, so a bad one alone is retried
or parked and the others go through.

Batches side by side keep the database busy while each waits for its answers, but two that
change the same record conflict, and the database makes one of them run again whole. Messages
about one customer came in two batches at once so often (most batches ran twice, four at a time)
that `Lanes` keeps them apart: a message always goes to the lane its key picks.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")
T_contra = TypeVar("T_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)
log = logging.getLogger(__name__)


class Submits(Protocol[T_contra, R_co]):
    """What takes an item into a batch and answers its result."""

    async def submit(self, item: T_contra) -> R_co: ...

    async def drain(self) -> None: ...


class BatchFailed(Exception):
    """The batch this item was part of failed as a whole: process the item on its own."""


class Batcher(Generic[T, R]):
    """Collects items until `size` are waiting or the first has waited `wait_s`, then hands
    them to `handle`, which returns one result per item, in order.

    At most `concurrency` batches run at a time: the items that arrive meanwhile form the next
    ones, which start as soon as a running one is done. Inside a batch the items run one after
    the other, so a few batches side by side keep the database busy while each waits for its
    answers; many would only conflict with each other over the same records.
    """

    def __init__(
        self,
        handle: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        *,
        size: int,
        wait_s: float,
        concurrency: int = 1,
        name: str = "batch",
    ) -> None:
        if size < 1 or wait_s < 0 or concurrency < 1:
            raise ValueError(
                "a batch holds at least one item, waits no negative time, and one runs at least"
            )
        self._handle = handle
        self.size = size
        self.wait_s = wait_s
        self.name = name
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.concurrency = concurrency
        self._workers: set[asyncio.Task[None]] = set()
        self._stopping = False

    async def submit(self, item: T) -> R:
        """The item's result once its batch is done; `BatchFailed` if the batch failed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, future))
        if len(self._waiting) >= self.size:
            self._start()
        elif self._timer is None and not self._busy:
            self._timer = loop.call_later(self.wait_s, self._start)
        # Shielded: a handler cancelled at shutdown must not cancel the batch of the others;
        # its message, unacknowledged, comes back and the inbox recognises it if it committed.
        return await asyncio.shield(future)

    async def drain(self) -> None:
        """At shutdown, once the broker stopped: the batches that run finish, no other starts.
        What still waits for a batch stays unprocessed: its handler was cancelled, its message
        never acknowledged, so RabbitMQ delivers it again. (Processing it now would take as
        long as the whole prefetch, with no broker left to publish its events.)"""
        self._stopping = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._workers:
            # `wait`, not `gather`: a stop that gives up on this (`shared.runtime`) ends the
            # waiting; cancelling a batch in the middle of its transaction would not end sooner.
            await asyncio.wait(set(self._workers))

    @property
    def _busy(self) -> bool:
        """As many batches run as may: a new one waits for the first to finish, not for time."""
        return len(self._workers) >= self.concurrency

    def _start(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._waiting and not self._busy and not self._stopping:
            worker = asyncio.get_running_loop().create_task(self._work(), name=self.name)
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)

    async def _work(self) -> None:
        try:
            # What arrived while a batch ran is the next batch, without waiting any longer.
            while self._waiting and not self._stopping:
                batch, self._waiting = self._waiting[: self.size], self._waiting[self.size :]
                await self._run(batch)
        finally:
            # No longer busy from this moment, not only once the task's done callbacks run:
            # an item submitted in between found the batcher busy, set no timer, and waited
            # for good (seen: two decisions never acknowledged after a 5,000-order run).
            self._workers.discard(cast("asyncio.Task[None]", asyncio.current_task()))

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._handle([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
        except Exception as error:  # noqa: BLE001 - each item is then tried on its own
            log.warning(
                "%s of %d failed, processing its items one by one: %r",
                self.name,
                len(batch),
                error,
            )
            for _, future in batch:
                if not future.done():
                    failed = BatchFailed(f"{self.name} of {len(batch)} failed")
                    failed.__cause__ = error
                    future.set_exception(failed)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


class Lanes(Generic[T, R]):
    """`lanes` batchers side by side, each running one batch at a time; an item goes to the
    lane its `key` picks, so items of one key are never in two batches that run at once."""

    def __init__(
        self,
        handle: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        *,
        key: Callable[[T], str],
        lanes: int,
        size: int,
        wait_s: float,
        name: str = "batch",
    ) -> None:
        if lanes < 1:
            raise ValueError("there is at least one lane")
        self._key = key
        self._lanes = [
            Batcher(handle, size=size, wait_s=wait_s, name=f"{name} (lane {n})")
            for n in range(lanes)
        ]

    async def submit(self, item: T) -> R:
        # A stable hash: the same key picks the same lane for the life of the process.
        lane = zlib.crc32(self._key(item).encode()) % len(self._lanes)
        return await self._lanes[lane].submit(item)

    async def drain(self) -> None:
        await asyncio.gather(*(lane.drain() for lane in self._lanes))


def in_batches(
    batcher: Submits[T, R], alone: Callable[[T], Awaitable[R]]
) -> Callable[[T], Awaitable[R]]:
    """A handler of one item that goes through `batcher`, and through `alone` if its batch
    failed: a failure of `alone` is the item's own, handled as without batching."""

    async def handle(item: T) -> R:
        try:
            return await batcher.submit(item)
        except BatchFailed:
            return await alone(item)

    return handle
