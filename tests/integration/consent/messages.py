"""Consent commands as the customer service sends them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.contracts.consent import ConsentSource, ConsentState, Evidence, RecordConsent
from shared.contracts.envelope import Actor, ActorType

ORDER_IMPORT_ACTOR = Actor(type=ActorType.SYSTEM, id="shopify:demo-store")
T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def record_consent(
    customer_id: str,
    state: str,
    source: str = "order_import",
    minute: int = 0,
    *,
    purpose: str = "email",
    channel: str | None = None,
    **evidence: object,
) -> RecordConsent:
    return RecordConsent(
        customer_id=customer_id,
        purpose=purpose,
        channel=channel,
        state=ConsentState(state),
        evidence=Evidence.model_validate(
            {
                "source": ConsentSource(source),
                "decided_at": T0 + timedelta(minutes=minute),
                "channel": "shopify",
                "shop": "demo-store.myshopify.com",
                "order_id": f"500{minute}",
                "text_version": "newsletter-v3",
            }
            | evidence
        ),
        actor=ORDER_IMPORT_ACTOR,
    )
