"""An order as a channel's API returned it, and why ingest would not take one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.contracts.replies import FieldError


@dataclass(frozen=True)
class PulledOrder:
    """The payload goes to ingest untouched; the id and update time are read only to keep
    the watermark, to recognise a re-read order and to name a parked one."""

    order_id: str
    updated_at: datetime | None
    payload: Any = field(repr=False)

    @property
    def key(self) -> tuple[str, datetime | None]:
        return (self.order_id, self.updated_at)


@dataclass(frozen=True)
class Refusal:
    """Ingest cannot map the order (it is malformed): it is parked, the others go on."""

    reason: str
    errors: tuple[FieldError, ...] = ()


def order_id_of(value: object, payload: Any) -> str:
    """The channel's id of an order, or for an order without one, a name derived from it."""
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return f"without-id-{digest[:16]}"


def moment(value: object, *, naive_is_utc: bool = True) -> datetime | None:
    """An ISO 8601 time (or Adobe Commerce's `YYYY-MM-DD HH:MM:SS`, which is UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC) if naive_is_utc else None
    return parsed.astimezone(UTC)
