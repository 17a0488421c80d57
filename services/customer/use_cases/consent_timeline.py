"""Consent decisions join the customer's timeline (the consent service owns the decisions).

The entry keeps what was decided, when and how, but not the IP address or user agent of the
evidence: those stay in the consent ledger, which pseudonymises them on erasure.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from services.customer.use_cases.batch_stores import (
    BatchCustomers,
    BatchHistory,
    known_customers,
)
from services.customer.use_cases.ports import reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import FieldChange
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from collections.abc import Sequence

    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.ports import Clock, Customers, History, Ref
    from shared.contracts.consent import ConsentChanged
    from shared.mongo import Session
    from shared.unit_of_work import BatchRunner, ChangeRunner

log = logging.getLogger(__name__)


@dataclass
class ConsentTimeline:
    unit: BatchRunner
    changes: Changes
    clock: Clock

    async def record_changes(self, events: Sequence[ConsentChanged]) -> list[Ref]:
        """Many changes in one transaction (a consumer's micro-batch), each recorded as alone;
        the customers they name are read at once and their activities written at once."""

        async def body(runner: ChangeRunner, session: Session) -> list[Ref]:
            store = self.changes.customers
            ids = sorted({event.customer_id for event in events})
            customers = BatchCustomers(store, await known_customers(store, ids, session))
            history = BatchHistory(self.changes.history)
            changes = replace(
                self.changes,
                customers=cast("Customers", customers),
                history=cast("History", history),
            )
            within = replace(self, unit=cast("BatchRunner", runner), changes=changes)
            answers = []
            for event in events:
                answers.append(await within.record_change(event))
                await asyncio.sleep(0)  # see order_batches
            await history.flush(session=session)
            return answers

        return await self.unit.run_together(events, body)

    async def record_change(self, event: ConsentChanged) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            # A decision about a customer merged away belongs to the master now.
            customer = await self.changes.customers.resolve(event.customer_id, session=session)
            if customer is None:
                log.warning(
                    "consent change %s is about unknown customer %s; not in any timeline",
                    event.message_id,
                    event.customer_id,
                )
                return Outcome.kept({})
            scope = f"consent.{event.purpose}" + (f".{event.channel}" if event.channel else "")
            evidence = event.evidence
            source = {
                "channel": evidence.channel or "consent",
                "consent_source": evidence.source.value,
            }
            if evidence.order_id:
                source["order_id"] = evidence.order_id
            await self.changes.record(
                customer.id,
                message=event,
                kind=ActivityKind.CONSENT_CHANGED,
                at=self.clock(),
                session=session,
                changes=(
                    FieldChange(
                        field=scope, before=event.previous_state.value, after=event.state.value
                    ),
                ),
                source=source,
                details={
                    "decided_at": evidence.decided_at.isoformat(),
                    "text_version": evidence.text_version,
                    "reported_level": evidence.reported_level,
                },
            )
            return Outcome.kept(reference(customer_id=customer.id))

        return await self.unit.run(event, change)
