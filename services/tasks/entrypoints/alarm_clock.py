"""The alarm clock: every instance polls for due alarms and rings what it can claim."""

from __future__ import annotations

import asyncio
import logging

from services.tasks.use_cases.alarms import AlarmRinging
from shared.redelivery import describe

log = logging.getLogger(__name__)


async def keep_ringing(ringing: AlarmRinging, *, interval_s: float) -> None:
    """Run until cancelled. A round that rang a full batch starts the next one at once."""
    while True:
        rang = 0
        try:
            rang = await ringing.ring_due()
        except Exception as error:  # noqa: BLE001 - the clock must outlive a database outage
            log.warning("ringing alarms failed, will try again: %s", describe(error))
        if rang < ringing.batch:
            await asyncio.sleep(interval_s)
