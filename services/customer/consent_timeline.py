"""Consent decisions join the customer's timeline (the consent service owns the decisions).

The entry keeps what was decided, when and how, but not the IP address or user agent of the
evidence: those stay in the consent ledger, which pseudonymises them on erasure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import FieldChange

if TYPE_CHECKING:
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.consent import ConsentChanged
    from shared.mongo import Session

log = logging.getLogger(__name__)


@dataclass
class ConsentTimeline:
    transactions: Transactions
    records: Records

    async def record(self, event: ConsentChanged) -> dict[str, str]:
        async def body(session: Session) -> Done:
            # A decision about a customer merged away belongs to the master now.
            customer = await self.records.store.resolve(event.customer_id, session=session)
            if customer is None:
                log.warning(
                    "consent change %s is about unknown customer %s; not in any timeline",
                    event.message_id,
                    event.customer_id,
                )
                return Done()
            scope = f"consent.{event.purpose}" + (f".{event.channel}" if event.channel else "")
            evidence = event.evidence
            source = {
                "channel": evidence.channel or "consent",
                "consent_source": evidence.source.value,
            }
            if evidence.order_id:
                source["order_id"] = evidence.order_id
            activity = self.records.activity(
                customer.id,
                message=event,
                kind=ActivityKind.CONSENT_CHANGED,
                at=datetime.now(UTC),
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
            await self.records.history.add([activity], session=session)
            return Done(ref=reference(customer_id=customer.id))

        return await self.transactions.run(event, body)
