"""Decisions for the rule tests, short to write."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from services.consent.domain.rules import Decision
from shared.contracts.consent import ConsentSource, ConsentState

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_keys = itertools.count(1)

S = ConsentSource
NONE, SINGLE, DOUBLE = ConsentState.NONE, ConsentState.SINGLE_OPT_IN, ConsentState.DOUBLE_OPT_IN
WITHDRAWN, OBJECTION = ConsentState.WITHDRAWN, ConsentState.OBJECTION


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def decision(
    state: ConsentState,
    source: ConsentSource,
    minute: int,
    *,
    purpose: str = "email",
    channel: str | None = None,
    key: str | None = None,
) -> Decision:
    return Decision(
        key=key or f"d{next(_keys):04d}",
        purpose=purpose,
        channel=channel,
        state=state,
        source=source,
        decided_at=at(minute),
    )
