"""The micro-batcher: a batch is handed over when full or when its first item waited long
enough, each item gets its own result, and a failed batch sends each item down its own path.
Lanes: batches side by side, the items of one key never in two of them at once."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import pytest

from shared.batching import Batcher, BatchFailed, Lanes, in_batches


class Recorder:
    def __init__(self, *, bad: set[int] | None = None) -> None:
        self.batches: list[list[int]] = []
        self.bad = bad or set()

    async def handle(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        await asyncio.sleep(0)
        if self.bad & set(items):
            raise ValueError(f"bad item in {list(items)}")
        return [item * 10 for item in items]


class Held:
    """A batch handler that holds every batch until `release` is set, noting what it handled."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.handled: list[list[int]] = []

    async def handle(self, items: Sequence[int]) -> list[int]:
        await self.release.wait()
        self.handled.append(list(items))
        return list(items)

    async def drained_once_released(self, drain: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """`drain` waits for the held batches, and ends once they are released."""
        drained = asyncio.create_task(drain())
        await asyncio.sleep(0.01)
        assert not drained.done()
        self.release.set()
        await drained


async def test_a_full_batch_is_handed_over_at_once_without_waiting() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.handle, size=3, wait_s=60)
    results = await asyncio.wait_for(
        asyncio.gather(*(batcher.submit(i) for i in (1, 2, 3))), timeout=2
    )
    assert results == [10, 20, 30]
    assert recorder.batches == [[1, 2, 3]]


async def test_items_beyond_the_size_go_into_the_next_batch_in_arrival_order() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.handle, size=2, wait_s=0.01)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(5)))
    assert results == [0, 10, 20, 30, 40]
    assert recorder.batches == [[0, 1], [2, 3], [4]]


async def test_a_batch_that_does_not_fill_up_is_handed_over_after_the_wait() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.handle, size=100, wait_s=0.05)
    started = asyncio.get_running_loop().time()
    results = await asyncio.gather(batcher.submit(1), batcher.submit(2))
    waited = asyncio.get_running_loop().time() - started
    assert list(results) == [10, 20]
    assert recorder.batches == [[1, 2]]
    assert 0.04 <= waited < 1.0


async def test_a_failed_batch_fails_each_of_its_items_and_not_the_next_batch() -> None:
    recorder = Recorder(bad={2})
    batcher = Batcher(recorder.handle, size=3, wait_s=0.01)
    first = await asyncio.gather(*(batcher.submit(i) for i in (1, 2, 3)), return_exceptions=True)
    assert all(isinstance(r, BatchFailed) for r in first)
    assert isinstance(first[0], BatchFailed)
    assert isinstance(first[0].__cause__, ValueError)
    assert list(await asyncio.gather(batcher.submit(4), batcher.submit(5))) == [40, 50]


async def test_in_a_failed_batch_only_the_bad_item_fails_the_others_go_through_alone() -> None:
    recorder = Recorder(bad={2})
    alone_calls: list[int] = []

    async def alone(item: int) -> int:
        alone_calls.append(item)
        if item == 2:
            raise ValueError("item 2 is bad")
        return item * 10

    handle = in_batches(Batcher(recorder.handle, size=3, wait_s=0.01), alone)
    results = await asyncio.gather(*(handle(i) for i in (1, 2, 3)), return_exceptions=True)
    assert results[0] == 10
    assert isinstance(results[1], ValueError)
    assert results[2] == 30
    assert sorted(alone_calls) == [1, 2, 3]


async def test_a_handler_that_loses_results_fails_the_batch() -> None:
    async def short(items: Sequence[int]) -> list[int]:
        return list(items)[:-1]

    batcher = Batcher(short, size=2, wait_s=0.01)
    results = await asyncio.gather(batcher.submit(1), batcher.submit(2), return_exceptions=True)
    assert all(isinstance(r, BatchFailed) for r in results)


async def test_a_cancelled_submitter_does_not_cancel_its_batch_and_drain_waits_for_it() -> None:
    held = Held()
    release, handled, slow = held.release, held.handled, held.handle
    batcher = Batcher(slow, size=2, wait_s=60)
    cancelled = asyncio.create_task(batcher.submit(1))
    other = asyncio.create_task(batcher.submit(2))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    await asyncio.sleep(0.01)
    release.set()
    assert await other == 2
    await batcher.drain()
    assert handled == [[1, 2]]
    assert cancelled.cancelled()


async def test_drain_waits_for_the_batch_that_runs_and_starts_no_other() -> None:
    held = Held()
    batcher = Batcher(held.handle, size=2, wait_s=60)
    running = [asyncio.create_task(batcher.submit(i)) for i in (1, 2)]
    # Waiting for the running batch: their messages were never acknowledged and come back.
    waiting = [asyncio.create_task(batcher.submit(i)) for i in (3, 4, 5)]
    await asyncio.sleep(0.01)
    await held.drained_once_released(batcher.drain)
    assert held.handled == [[1, 2]]
    assert [await r for r in running] == [1, 2]
    assert not any(w.done() for w in waiting)
    for w in waiting:
        w.cancel()


async def test_a_drain_given_up_on_leaves_the_batch_in_its_transaction_alone() -> None:
    held = Held()
    release, slow = held.release, held.handle
    batcher = Batcher(slow, size=1, wait_s=60)
    submitted = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0.01)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(batcher.drain(), 0.05)
    release.set()
    assert await submitted == 1


def test_a_batch_holds_at_least_one_item() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Batcher(Recorder().handle, size=0, wait_s=0.01)


async def test_one_batch_runs_at_a_time_and_what_arrives_meanwhile_follows_at_once() -> None:
    release = asyncio.Event()
    running: list[int] = []
    batches: list[list[int]] = []

    async def slow(items: Sequence[int]) -> list[int]:
        running.append(1)
        assert len(running) == 1, "two batches at once"
        batches.append(list(items))
        if len(batches) == 1:
            await release.wait()
        running.pop()
        return list(items)

    batcher = Batcher(slow, size=2, wait_s=60)
    first = [asyncio.create_task(batcher.submit(i)) for i in (1, 2)]
    await asyncio.sleep(0.01)
    later = [asyncio.create_task(batcher.submit(i)) for i in (3, 4, 5)]
    await asyncio.sleep(0.01)
    assert batches == [[1, 2]]
    release.set()
    # No waiting for the timer: the next batches follow the first one directly.
    assert await asyncio.wait_for(asyncio.gather(*first, *later), timeout=2) == [1, 2, 3, 4, 5]
    assert batches == [[1, 2], [3, 4], [5]]


async def test_up_to_concurrency_batches_run_side_by_side() -> None:
    release = asyncio.Event()
    running: list[list[int]] = []
    most = 0

    async def slow(items: Sequence[int]) -> list[int]:
        nonlocal most
        running.append(list(items))
        most = max(most, len(running))
        await release.wait()
        running.remove(list(items))
        return list(items)

    batcher = Batcher(slow, size=2, wait_s=60, concurrency=2)
    tasks = [asyncio.create_task(batcher.submit(i)) for i in range(6)]
    await asyncio.sleep(0.01)
    assert sorted(running) == [[0, 1], [2, 3]]
    release.set()
    assert await asyncio.wait_for(asyncio.gather(*tasks), timeout=2) == list(range(6))
    assert most == 2


async def test_lanes_run_side_by_side_and_keep_the_items_of_one_key_in_one_lane() -> None:
    running: list[set[int]] = []
    side_by_side = 0
    batches: list[list[int]] = []

    async def handle(items: Sequence[int]) -> list[int]:
        nonlocal side_by_side
        keys = {item % 5 for item in items}
        # A key in a batch that runs now would mean two transactions changing its records.
        assert not any(keys & other for other in running), (items, running)
        running.append(keys)
        side_by_side = max(side_by_side, len(running))
        batches.append(list(items))
        await asyncio.sleep(0.01)
        running.remove(keys)
        return [item * 10 for item in items]

    lanes = Lanes(handle, key=lambda item: f"customer-{item % 5}", lanes=3, size=4, wait_s=0.001)
    results = await asyncio.gather(*(lanes.submit(i) for i in range(60)))
    assert results == [i * 10 for i in range(60)]
    assert sorted(i for batch in batches for i in batch) == list(range(60))
    assert side_by_side > 1
    # One key's items in the order they came: the lane keeps it.
    for key in range(5):
        of_key = [i for batch in batches for i in batch if i % 5 == key]
        assert of_key == sorted(of_key)


async def test_lanes_drain_every_lane() -> None:
    held = Held()
    lanes = Lanes(held.handle, key=str, lanes=4, size=1, wait_s=60)
    running = [asyncio.create_task(lanes.submit(i)) for i in range(8)]
    await asyncio.sleep(0.01)
    await held.drained_once_released(lanes.drain)
    # One batch ran in each lane the items picked, and each of those finished.
    handled = [item for batch in held.handled for item in batch]
    picked = {zlib.crc32(str(i).encode()) % 4 for i in range(8)}
    assert len(handled) == len(picked)
    assert all(t.done() for t, i in zip(running, range(8), strict=True) if i in handled)
    for t in running:
        t.cancel()


def test_there_is_at_least_one_lane() -> None:
    with pytest.raises(ValueError, match="at least one lane"):
        Lanes(Recorder().handle, key=str, lanes=0, size=1, wait_s=0)


async def test_an_item_submitted_while_the_last_batch_finishes_is_handed_over_too() -> None:
    """An item that arrives after the batch's worker looked for more, before its task is done,
    found the batcher busy: it must not be left waiting for good (a message never acked)."""
    later: list[asyncio.Task[int]] = []

    async def handle(items: Sequence[int]) -> list[int]:
        if items == [1]:
            # Runs before the worker's task is done: its first step is queued ahead of that.
            later.append(asyncio.get_running_loop().create_task(batcher.submit(2)))
        return [item * 10 for item in items]

    batcher = Batcher(handle, size=10, wait_s=0.01)
    assert await batcher.submit(1) == 10
    assert await asyncio.wait_for(later[0], timeout=2) == 20
