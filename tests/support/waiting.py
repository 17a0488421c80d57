"""Waiting for an eventually consistent outcome without sleeping a fixed time."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(
    probe: Callable[[], Awaitable[Any] | Any],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    """Call `probe` (sync or async) until it returns something truthy, and return that.

    Fails with `what` after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if inspect.isawaitable(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")
