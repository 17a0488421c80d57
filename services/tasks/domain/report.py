"""Figures about tasks that are rules rather than storage: what a completion time is."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta

# The median counts recent work unless asked otherwise: old habits say little about today.
DEFAULT_WINDOW = timedelta(days=90)


def median_completion_s(spans: Iterable[tuple[datetime, datetime]]) -> float | None:
    """The median of (completed - created) in seconds over (created, completed) pairs."""
    seconds = [(completed - created).total_seconds() for created, completed in spans]
    return statistics.median(seconds) if seconds else None
