"""What an admin asks about integrations: their state, and whether a connection works."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.pullers.settings import IntegrationSettings
from services.pullers.use_cases.ports import Channel, IntegrationStore
from shared.contracts.integrations import ConnectionCheck, IntegrationList
from shared.errors import NotFound

# Parked orders shown with an integration's state; the count says how many there are.
PARKED_SHOWN = 20


@dataclass
class IntegrationReports:
    integrations: Mapping[str, IntegrationSettings]
    channels: Mapping[str, Channel]
    store: IntegrationStore
    clock: Callable[[], datetime]

    def integration(self, name: str) -> IntegrationSettings:
        found = self.integrations.get(name)
        if found is None:
            raise NotFound("Integration", f"no integration is named {name!r}")
        return found

    async def states(self) -> IntegrationList:
        return IntegrationList(
            items=tuple(
                [
                    await self.store.state(integration, parked_limit=PARKED_SHOWN)
                    for integration in self.integrations.values()
                ]
            )
        )

    async def check(self, name: str, *, days: int) -> ConnectionCheck:
        """One call to the channel: how many orders changed lately, and the newest change."""
        integration = self.integration(name)
        channel = self.channels[name]
        until = self.clock() - channel.settle
        since = until - timedelta(days=days)
        probe = await channel.probe(since, until)
        return ConnectionCheck(
            integration=name,
            channel=integration.channel,
            shop=integration.shop,
            since=since,
            orders_found=probe.orders_found,
            more=probe.more,
            newest_update=probe.newest_update,
        )
