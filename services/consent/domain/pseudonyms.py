"""Erasure keeps the proof of consent but not the person (GDPR Art. 17 with Art. 7(1)).

Each ledger entry of an erased customer keeps what was decided, when, how and with which text;
the address it was given for is replaced by its keyed hash (HMAC-SHA256 with a secret key of
the consent service). Without the key nobody can tell whose entry it is; if the person later
disputes a consent and names their address, the seller can recompute the pseudonym and show
the proof. IP address and user agent are removed: they would identify the person and are not
needed to show that a consent was given.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from services.consent.domain.ledger import LedgerEntry

PREFIX = "hmac-sha256:"


def pseudonym(key: bytes, *, email: str | None, customer_id: str) -> str:
    # An entry recorded while no address was known is pseudonymised by the customer id.
    subject = f"email:{email.strip().lower()}" if email else f"customer:{customer_id}"
    return PREFIX + hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()


def pseudonymised(entry: LedgerEntry, *, key: bytes, now: datetime) -> LedgerEntry:
    """The entry without personal data; an entry already pseudonymised stays as it is."""
    if entry.pseudonymised_at is not None:
        return entry
    return entry.model_copy(
        update={
            "email": None,
            "pseudonym": pseudonym(key, email=entry.email, customer_id=entry.customer_id),
            "evidence": entry.evidence.model_copy(update={"ip_address": None, "user_agent": None}),
            "pseudonymised_at": now,
        }
    )
