"""Group commit: the entries of every request that waits for a write go to the database in one
insert.

Each read of personal data waits until its access-log entry is durable (majority, journaled)
before it is answered. One insert per read made the database's flushes, not the reads, the
limit under concurrency. Here, while one insert is under way, the entries that arrive gather
for the next, and each caller is released when the insert holding its entries is durable, or
gets its error. Alone, a caller's entries are written at once: no timer, no added wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[None]]) -> None:
        self._write = write
        self._queued: list[tuple[Sequence[T], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, entries: Sequence[T]) -> None:
        """Returns once `entries` are written; raises what the write raised."""
        if not entries:
            return
        written = asyncio.get_running_loop().create_future()
        self._queued.append((entries, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued())
        # A caller that gives up (its client went away) does not take the others' write with
        # it: its entries are written all the same.
        await asyncio.shield(written)

    async def _write_queued(self) -> None:
        while self._queued:
            group, self._queued = self._queued, []
            try:
                await self._write([entry for entries, _ in group for entry in entries])
            except Exception as error:  # noqa: BLE001 - handed to every caller of the group
                for _, written in group:
                    written.set_exception(error)
            else:
                for _, written in group:
                    written.set_result(None)
