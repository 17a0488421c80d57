"""Which stretch of update times a pull reads, and how far the watermark may then move.

The watermark is the update time up to which every order of an integration has been handed to
ingest (or parked). A pull reads the window from the watermark, less an overlap, to a recent
moment the channel has settled; only when every order of the window is handed over does the
watermark move to the window's end. A restart therefore reads again what was not finished (no
gap), and what is read twice is the same order in the same state, hence the same message at
ingest (no duplicate reaches a customer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    """Orders updated from `start` to `end`, both included."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Polling:
    # Read this far behind the watermark again: orders that became visible late are found.
    overlap: timedelta
    # The longest window, so a long catch-up keeps what it finished if it fails half-way.
    max_span: timedelta
    # Where the first pull of an integration starts, back from now.
    initial_lookback: timedelta
    # How long before now a window must end: the channel's own settling time.
    settle: timedelta


def next_window(watermark: datetime | None, now: datetime, polling: Polling) -> Window | None:
    """The next window to read, or None when the integration is up to date as of `now`."""
    base = watermark if watermark is not None else now - polling.initial_lookback
    end = min(now - polling.settle, base + polling.max_span)
    if end <= base:
        return None
    # The very first window has nothing behind it to read again.
    start = base - polling.overlap if watermark is not None else base
    return Window(start=start, end=end)


def advanced(watermark: datetime | None, window: Window) -> datetime:
    """The watermark once every order of `window` was handed over; it never moves back."""
    return window.end if watermark is None else max(watermark, window.end)


def first_pulled(updated_at: datetime | None, watermark: datetime | None) -> bool:
    """Whether an order in this state is new to the integration's count of pulled orders:
    one read again in the overlap was counted when it was first pulled."""
    return watermark is None or updated_at is None or updated_at > watermark
