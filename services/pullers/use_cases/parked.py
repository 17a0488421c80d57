"""Parked orders: handed to ingest again on request, once the cause was fixed.

A parked order is also taken off the list by itself when a later state of it is pulled and
accepted (see `pulling`). Replaying sends the stored payload; what ingest still refuses stays
parked with the new reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.pullers.settings import IntegrationSettings
from services.pullers.use_cases.ports import Ingest, IntegrationStore
from shared.contracts.integrations import ReplayOutcome

REPLAY_LIMIT = 500


@dataclass
class ReplayParked:
    store: IntegrationStore
    ingest: Ingest
    clock: Callable[[], datetime]

    async def replay(
        self, integration: IntegrationSettings, order_ids: tuple[str, ...] = ()
    ) -> ReplayOutcome:
        accepted: list[str] = []
        still_parked: list[str] = []
        for parked in await self.store.parked(
            integration.name, order_ids=order_ids, limit=REPLAY_LIMIT
        ):
            order = parked.order
            refusal = await self.ingest.hand_over(integration, order)
            if refusal is None:
                await self.store.unpark(integration.name, order.order_id)
                accepted.append(order.order_id)
            else:
                await self.store.park(integration.name, order, refusal, at=self.clock())
                still_parked.append(order.order_id)
        return ReplayOutcome(accepted=tuple(accepted), still_parked=tuple(still_parked))
