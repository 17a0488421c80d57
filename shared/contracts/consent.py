"""Marketing consent: the states GDPR distinguishes, the evidence of a decision, its messages.

The consent service owns consent. Others ask it to record a decision (`RecordConsent`), e.g. the
customer service for the marketing flags an order carried, once it knows who the buyer is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import Command, Contract, Event

# Purposes are data (the consent service keeps the list); these are the ones every seller has.
Purpose = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
EMAIL, SMS, PHONE, POST, THIRD_PARTY_SHARING, PROFILING = (
    "email",
    "sms",
    "phone",
    "post",
    "third_party_sharing",
    "profiling",
)


class ConsentState(StrEnum):
    NONE = "none"
    SINGLE_OPT_IN = "single_opt_in"
    DOUBLE_OPT_IN = "double_opt_in"
    WITHDRAWN = "withdrawn"
    OBJECTION = "objection"


class ConsentSource(StrEnum):
    """How a decision reached the suite."""

    ORDER_IMPORT = "order_import"
    SUPPORTER = "supporter"
    SELF_SERVICE = "self_service"
    API = "api"
    DOUBLE_OPT_IN = "double_opt_in"
    MERGE = "merge"


class Evidence(Contract):
    """What proves a decision: where it was made, when, and what the person was shown."""

    source: ConsentSource
    decided_at: AwareDatetime
    # The wording (or its version id) the person agreed to.
    text: Annotated[str, Field(max_length=5000)] | None = None
    text_version: Annotated[str, Field(max_length=100)] | None = None
    channel: Annotated[str, Field(max_length=32)] | None = None
    shop: Annotated[str, Field(max_length=200)] | None = None
    order_id: Annotated[str, Field(max_length=100)] | None = None
    ip_address: Annotated[str, Field(max_length=45)] | None = None
    user_agent: Annotated[str, Field(max_length=500)] | None = None
    # What the channel itself called the level (e.g. Shopify's "confirmed_opt_in").
    reported_level: Annotated[str, Field(max_length=100)] | None = None


class RecordConsent(Command):
    type: Literal["consent.record.v1"] = "consent.record.v1"
    customer_id: Annotated[str, Field(min_length=1, max_length=64)]
    purpose: Purpose
    # None: the decision holds for every channel.
    channel: Annotated[str, Field(max_length=32)] | None = None
    state: ConsentState
    evidence: Evidence


class ConsentChanged(Event):
    type: Literal["consent.changed.v1"] = "consent.changed.v1"
    customer_id: str
    purpose: Purpose
    channel: str | None = None
    previous_state: ConsentState
    state: ConsentState
    evidence: Evidence
