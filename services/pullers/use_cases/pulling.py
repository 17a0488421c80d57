"""Pull one integration: read its windows, hand each order to ingest, move the watermark.

Only the replica holding the integration's lease pulls it. Within a window, an order ingest
refuses as malformed is parked with its reason and the others go on; an order ingest cannot take
now (it is down) stops the pull without moving the watermark, so the next pull reads that window
again. Orders read twice within one window (a re-read after the window shifted) are handed over
once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.pullers.domain.orders import PulledOrder
from services.pullers.domain.windows import (
    Polling,
    Window,
    advanced,
    first_pulled,
    next_window,
)
from services.pullers.settings import IntegrationSettings
from services.pullers.use_cases.ports import (
    Channel,
    ChannelRefusedAccess,
    ChannelUnavailable,
    Ingest,
    IngestRefusedIntegration,
    IngestUnavailable,
    IntegrationStore,
    LeaseLost,
)
from shared.redelivery import describe

log = logging.getLogger(__name__)

# A pull ends with one of these recorded as the integration's last error; anything else is a
# bug, logged with its trace and recorded too.
EXPECTED_FAILURES = (
    ChannelUnavailable,
    ChannelRefusedAccess,
    IngestUnavailable,
    IngestRefusedIntegration,
    LeaseLost,
)


@dataclass
class PullReport:
    windows: int = 0
    handed_over: int = 0
    parked: int = 0
    error: str | None = None


def polling_of(integration: IntegrationSettings, channel: Channel) -> Polling:
    return Polling(
        overlap=timedelta(seconds=integration.overlap_s),
        max_span=timedelta(seconds=integration.max_window_s),
        initial_lookback=timedelta(days=integration.initial_lookback_days),
        settle=channel.settle,
    )


@dataclass
class PullOrders:
    store: IntegrationStore
    ingest: Ingest
    clock: Callable[[], datetime]
    # This replica's name in the lease.
    owner: str
    lease: timedelta

    async def pull(self, integration: IntegrationSettings, channel: Channel) -> PullReport | None:
        """One pull up to now; None when another replica holds the integration."""
        name = integration.name
        started = self.clock()
        if not await self.store.claim(
            name, owner=self.owner, now=started, until=started + self.lease
        ):
            log.debug("%s is pulled by another replica", name)
            return None
        report = PullReport()
        try:
            lease = _Lease(self, name, renewed_at=started)
            await self._pull_until(started, integration, channel, lease, report)
        except EXPECTED_FAILURES as error:
            report.error = describe(error)
            log.warning("pull of %s stopped: %s", name, report.error)
        except Exception as error:
            report.error = describe(error)
            log.exception("pull of %s failed", name)
        finally:
            await self.store.record_run(name, at=self.clock(), error=report.error)
            await self.store.release(name, owner=self.owner)
        return report

    async def _pull_until(
        self,
        now: datetime,
        integration: IntegrationSettings,
        channel: Channel,
        lease: _Lease,
        report: PullReport,
    ) -> None:
        polling = polling_of(integration, channel)
        watermark = await self.store.watermark(integration.name)
        while (window := next_window(watermark, now, polling)) is not None:
            new = await self._pull_window(integration, channel, window, watermark, lease, report)
            watermark = advanced(watermark, window)
            if not await self.store.advance(
                integration.name, owner=self.owner, watermark=watermark, handed_over=new
            ):
                raise LeaseLost(f"{integration.name} was taken over by another replica")
            report.windows += 1
            log.info("%s: %d new order(s) up to %s", integration.name, new, watermark.isoformat())

    async def _pull_window(
        self,
        integration: IntegrationSettings,
        channel: Channel,
        window: Window,
        watermark: datetime | None,
        lease: _Lease,
        report: PullReport,
    ) -> int:
        """Hand over every order of the window; returns how many were new to the count."""
        parked = await self.store.parked_ids(integration.name)
        seen: set[tuple[str, datetime | None]] = set()
        new = 0
        async for order in channel.orders(window):
            await lease.keep()
            if order.key in seen:
                continue
            seen.add(order.key)
            if not await self._hand_over(integration, order, parked):
                report.parked += 1
                continue
            report.handed_over += 1
            new += first_pulled(order.updated_at, watermark)
        return new

    async def _hand_over(
        self, integration: IntegrationSettings, order: PulledOrder, parked: set[str]
    ) -> bool:
        refusal = await self.ingest.hand_over(integration, order)
        if refusal is not None:
            log.warning("%s: order %s parked: %s", integration.name, order.order_id, refusal.reason)
            await self.store.park(integration.name, order, refusal, at=self.clock())
            parked.add(order.order_id)
            return False
        if order.order_id in parked:
            # A later state of a parked order was taken: nothing of it is left to replay.
            await self.store.unpark(integration.name, order.order_id)
            parked.discard(order.order_id)
        return True


@dataclass
class _Lease:
    """Renews the lease while a long window is read, before a third of it has passed."""

    pulling: PullOrders
    name: str
    renewed_at: datetime

    async def keep(self) -> None:
        now = self.pulling.clock()
        if now - self.renewed_at < self.pulling.lease / 3:
            return
        if not await self.pulling.store.claim(
            self.name, owner=self.pulling.owner, now=now, until=now + self.pulling.lease
        ):
            raise LeaseLost(f"{self.name} was taken over by another replica")
        self.renewed_at = now
