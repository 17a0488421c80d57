"""Consent commands about a customer the consent service may not have learnt of yet.

The consent service learns customers from the customer service's events, so a customer created
a moment ago can be unknown there for a few milliseconds, longer when the machine is busy. A
decision recorded right after the creation (an app that creates a customer and then records
their consent, a quick supporter) was refused as "not known to the consent service". So when
the consent service does not know the customer, the gateway asks the customer service whether
it does; if so, it asks the consent service again for a short while. A customer the customer
service does not know either is refused as before, at once.

A refused command changed nothing (the consent service resolves the customer before its
transaction), so asking again with the same message is safe.
"""

from __future__ import annotations

import asyncio
import time
from typing import TypeVar

from services.gateway.use_cases.ports import Refused, Services
from shared.contracts.consent import RecordConsent, RequestDoubleOptIn
from shared.contracts.customers import CustomerView, GetCustomer
from shared.rpc import ServiceUnavailable

R = TypeVar("R")
# How long the consent service may take to learn of a customer before the refusal stands.
CATCH_UP_S = 3.0
FIRST_DELAY_S = 0.02
LONGEST_DELAY_S = 0.4


async def ask_about_customer(
    services: Services,
    command: RecordConsent | RequestDoubleOptIn,
    reply: type[R],
    *,
    catch_up_s: float = CATCH_UP_S,
) -> R:
    """The consent service's answer to `command`, given time to learn of a customer the customer
    service already knows."""
    try:
        return await services.ask("consent", command, reply)
    except Refused as refused:
        if not _customer_unknown(refused) or not await _known(services, command):
            raise
    deadline, delay = time.monotonic() + catch_up_s, FIRST_DELAY_S
    while True:
        await asyncio.sleep(delay)
        try:
            return await services.ask("consent", command, reply)
        except Refused as refused:
            if not _customer_unknown(refused) or time.monotonic() + delay > deadline:
                raise
        delay = min(delay * 2, LONGEST_DELAY_S)


def _customer_unknown(refused: Refused) -> bool:
    """The consent service does not know the customer (not: the purpose, the link...)."""
    return refused.not_found and any(e.field == "customer_id" for e in refused.problem.errors)


async def _known(services: Services, command: RecordConsent | RequestDoubleOptIn) -> bool:
    """Whether the customer service knows the customer; if it does not answer, the consent
    service's refusal stands."""
    asked = GetCustomer(customer_id=command.customer_id, actor=command.actor)
    try:
        await services.ask("customer", asked, CustomerView)
    except (Refused, ServiceUnavailable):
        return False
    return True
