"""Access-log entries of reads under way at the same time share one insert; each read is
released only once its own entries are written."""

from __future__ import annotations

import asyncio

import pytest

from services.gateway.adapters.group_commit import GroupCommit


class Database:
    def __init__(self) -> None:
        self.inserts: list[list[str]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.refused: str | None = None

    async def insert(self, entries: list[str]) -> None:
        await self.gate.wait()
        await asyncio.sleep(0)
        if self.refused in entries:
            raise ConnectionError("database unreachable")
        self.inserts.append(entries)


async def test_alone_a_callers_entries_are_written_at_once() -> None:
    db = Database()
    grouped = GroupCommit(db.insert)
    await grouped.add(["a1", "a2"])
    assert db.inserts == [["a1", "a2"]]
    await grouped.add([])
    assert db.inserts == [["a1", "a2"]]


async def while_writing(
    db: Database, callers: int
) -> tuple[GroupCommit[str], asyncio.Task[None], list[asyncio.Task[None]]]:
    """A first caller whose write is held at the database, and `callers` more arriving
    meanwhile."""
    grouped = GroupCommit(db.insert)
    db.gate.clear()
    first = asyncio.create_task(grouped.add(["first"]))
    await asyncio.sleep(0)
    others = [asyncio.create_task(grouped.add([f"e{i}"])) for i in range(callers)]
    await asyncio.sleep(0)
    return grouped, first, others


async def test_entries_arriving_during_a_write_share_the_next_one() -> None:
    db = Database()
    _, first, others = await while_writing(db, 10)
    assert not any(t.done() for t in [first, *others])  # nobody released before the write
    db.gate.set()
    await asyncio.gather(first, *others)
    assert db.inserts == [["first"], [f"e{i}" for i in range(10)]]


async def test_a_failed_write_reaches_every_caller_of_its_group_and_no_other() -> None:
    db = Database()
    db.refused = "e1"
    grouped, first, group = await while_writing(db, 3)
    db.gate.set()
    await first
    for task in group:
        with pytest.raises(ConnectionError):
            await task
    await grouped.add(["later"])
    assert db.inserts == [["first"], ["later"]]


async def test_a_caller_that_gives_up_does_not_stop_the_write() -> None:
    db = Database()
    grouped = GroupCommit(db.insert)
    db.gate.clear()
    leaving = asyncio.create_task(grouped.add(["leaving"]))
    staying = asyncio.create_task(grouped.add(["staying"]))
    await asyncio.sleep(0)
    leaving.cancel()
    db.gate.set()
    await staying
    assert db.inserts == [["leaving"], ["staying"]] or db.inserts == [["leaving", "staying"]]
