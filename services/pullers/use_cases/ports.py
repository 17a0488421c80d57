"""What the use cases need from the world, as protocols the adapters (and test fakes) fulfil."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from services.pullers.domain.orders import PulledOrder, Refusal
from services.pullers.domain.windows import Window
from services.pullers.settings import IntegrationSettings
from shared.contracts.integrations import IntegrationState, ParkedOrderView


class ChannelUnavailable(Exception):
    """The channel did not answer usefully after all tries (down, throttling, a bad answer)."""


class ChannelRefusedAccess(Exception):
    """The channel refuses the integration's credentials (revoked, wrong, missing a role)."""


class IngestUnavailable(Exception):
    """Ingest did not take the order for a passing reason after all tries: try later."""


class IngestRefusedIntegration(Exception):
    """Ingest refuses the integration itself (its key, or the address is not ingest's)."""


class LeaseLost(Exception):
    """Another replica took the integration over: this one stops without writing."""


@dataclass(frozen=True)
class Probe:
    """What one call to the channel found."""

    orders_found: int
    more: bool
    newest_update: datetime | None


class Channel(Protocol):
    # How long before now a window must end (the channel's settling time).
    settle: timedelta

    def orders(self, window: Window) -> AsyncIterator[PulledOrder]:
        """Every order updated within `window`, page after page, as the channel returns it."""
        ...

    async def probe(self, since: datetime, until: datetime) -> Probe: ...


class Ingest(Protocol):
    async def hand_over(
        self, integration: IntegrationSettings, order: PulledOrder
    ) -> Refusal | None:
        """None once ingest confirmed the order is on the broker; a refusal if it is malformed."""
        ...


@dataclass(frozen=True)
class ParkedOrder:
    order: PulledOrder
    view: ParkedOrderView


class IntegrationStore(Protocol):
    async def claim(self, name: str, *, owner: str, now: datetime, until: datetime) -> bool: ...

    async def release(self, name: str, *, owner: str) -> None: ...

    async def watermark(self, name: str) -> datetime | None: ...

    async def advance(
        self, name: str, *, owner: str, watermark: datetime, handed_over: int
    ) -> bool:
        """Move the watermark (only while `owner` holds the lease); False if it does not."""
        ...

    async def record_run(self, name: str, *, at: datetime, error: str | None) -> None: ...

    async def park(
        self, name: str, order: PulledOrder, refusal: Refusal, *, at: datetime
    ) -> None: ...

    async def unpark(self, name: str, order_id: str) -> None: ...

    async def parked_ids(self, name: str) -> set[str]: ...

    async def parked(
        self, name: str, *, order_ids: tuple[str, ...] = (), limit: int = 100
    ) -> list[ParkedOrder]: ...

    async def state(
        self, integration: IntegrationSettings, *, parked_limit: int
    ) -> IntegrationState: ...
