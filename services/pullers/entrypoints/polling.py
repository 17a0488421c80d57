"""The polling loop: every integration is pulled every `poll_interval_s`, by whichever replica
holds its lease at that moment."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping

from services.pullers.settings import IntegrationSettings
from services.pullers.use_cases.ports import Channel
from services.pullers.use_cases.pulling import PullOrders

log = logging.getLogger(__name__)


async def poll_forever(
    pulling: PullOrders,
    integrations: Mapping[str, IntegrationSettings],
    channels: Mapping[str, Channel],
) -> None:
    await asyncio.gather(
        *(_poll(pulling, integration, channels[name]) for name, integration in integrations.items())
    )


async def _poll(pulling: PullOrders, integration: IntegrationSettings, channel: Channel) -> None:
    # Replicas started together would all ask for the lease at the same instant.
    await asyncio.sleep(random.uniform(0, min(integration.poll_interval_s, 5.0)))
    while True:
        try:
            await pulling.pull(integration, channel)
        except Exception:
            # The pull records its own failures; this is the database failing to take even that.
            log.exception("pull of %s failed", integration.name)
        await asyncio.sleep(integration.poll_interval_s)
