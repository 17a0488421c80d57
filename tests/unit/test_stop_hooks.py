"""A stop does not wait for ever on a hook: a database that does not answer must not keep a
process from stopping (what a batch held comes back from the queue)."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared import runtime


async def test_a_hook_that_never_ends_is_given_up_after_the_bound(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(runtime, "STOP_HOOK_TIMEOUT_S", 0.2)
    cancelled = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    started = time.perf_counter()
    await runtime.run_stop_hook(stuck)
    assert time.perf_counter() - started < 2
    assert cancelled.is_set()
    assert "gave up on" in caplog.text


async def test_a_hook_that_ends_runs_to_its_end() -> None:
    done: list[str] = []

    async def quick() -> None:
        await asyncio.sleep(0.01)
        done.append("closed")

    await runtime.run_stop_hook(quick)
    assert done == ["closed"]
