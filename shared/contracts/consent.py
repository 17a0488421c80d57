"""Marketing consent: the states GDPR distinguishes, the evidence of a decision, its messages.

The consent service owns consent. Others ask it to record a decision (`RecordConsent`), e.g. the
customer service for the marketing flags an order carried, once it knows who the buyer is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.customers import CustomerRef
from shared.contracts.envelope import NOT_BLANK, Actor, Command, Contract, Event, Id, Query

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
    customer_id: Id
    purpose: Purpose
    # None: the decision holds for every channel.
    channel: Annotated[str, Field(max_length=32)] | None = None
    state: ConsentState
    evidence: Evidence
    # The customer as the customer service stored them when it sent this decision (an
    # order's): the decision travels with the customer's resolution, so the consent service
    # knows them even before their `customer.created` (another exchange) has arrived.
    customer: CustomerRef | None = None


class ConsentChanged(Event):
    type: Literal["consent.changed.v1"] = "consent.changed.v1"
    customer_id: str
    purpose: Purpose
    channel: str | None = None
    previous_state: ConsentState
    state: ConsentState
    evidence: Evidence
    # The ledger entry that holds the proof of this change (absent in events of older producers).
    entry_id: str | None = None


# --- Double opt-in ----------------------------------------------------------------------------

Token = Annotated[str, Field(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
IpAddress = Annotated[str, Field(max_length=45)]
UserAgent = Annotated[str, Field(max_length=500)]
ConsentText = Annotated[str, Field(max_length=5000)]
TextVersion = Annotated[str, Field(max_length=100)]
Channel = Annotated[str, Field(max_length=32)]


class RequestDoubleOptIn(Command):
    """Send the person a mail whose link confirms this consent (the second opt-in)."""

    type: Literal["consent.request_double_opt_in.v1"] = "consent.request_double_opt_in.v1"
    customer_id: Id
    purpose: Purpose
    channel: Channel | None = None
    # What the person is asked to confirm: the wording or its version.
    text: ConsentText | None = None
    text_version: TextVersion | None = None
    # Of the person's first step (e.g. the newsletter form), where known.
    ip_address: IpAddress | None = None
    user_agent: UserAgent | None = None


class DoubleOptInRequested(Event):
    """A mailer sends the confirmation mail to `email`.

    The confirmation link holds a single-use token that the consent service stores only as a
    keyed hash. The link travels sealed (Fernet; key = HKDF-SHA256 of the shared mailer secret,
    info "consent double opt-in link") because this event is stored in the consent database
    (outbox) and in the broker: whoever reads those without the mailer secret cannot confirm a
    consent in the person's name. Only the mailer, which must read the link to send it, opens it.
    """

    type: Literal["consent.double_opt_in_requested.v1"] = "consent.double_opt_in_requested.v1"
    customer_id: str
    purpose: Purpose
    channel: str | None = None
    email: str
    text: str | None = None
    text_version: str | None = None
    expires_at: AwareDatetime
    sealed_confirm_url: str


class ConfirmDoubleOptIn(Command):
    """The person followed the link of a double opt-in mail."""

    type: Literal["consent.confirm_double_opt_in.v1"] = "consent.confirm_double_opt_in.v1"
    token: Token
    ip_address: IpAddress | None = None
    user_agent: UserAgent | None = None


# --- Purposes (data, not code) ----------------------------------------------------------------

PurposeTitle = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
PurposeDescription = Annotated[str, Field(max_length=2000)]


class DefinePurpose(Command):
    type: Literal["consent.define_purpose.v1"] = "consent.define_purpose.v1"
    key: Purpose
    title: PurposeTitle
    description: PurposeDescription | None = None


class ChangePurpose(Command):
    """Rename or retire a purpose. A retired purpose takes no new opt-ins; its ledger stays."""

    type: Literal["consent.change_purpose.v1"] = "consent.change_purpose.v1"
    key: Purpose
    title: PurposeTitle | None = None
    description: PurposeDescription | None = None
    active: bool | None = None


class PurposeView(Contract):
    key: str
    title: str
    description: str | None = None
    active: bool


class PurposeList(Contract):
    items: tuple[PurposeView, ...]


class ListPurposes(Query):
    type: Literal["consent.list_purposes.v1"] = "consent.list_purposes.v1"


# --- What the consent service answers ---------------------------------------------------------


class LedgerOutcome(StrEnum):
    """What a decision did when it was recorded."""

    APPLIED = "applied"  # the state changed
    UNCHANGED = "unchanged"  # the state already was the one decided
    OVERRULED = "overruled"  # a rule kept the state (see `rule`)
    SUPERSEDED = "superseded"  # a newer decision already decides the state


class ConsentView(Contract):
    purpose: str
    channel: str | None = None
    state: ConsentState
    # The decision the state rests on; None while nothing was decided.
    decided_at: AwareDatetime | None = None
    source: ConsentSource | None = None
    entry_id: str | None = None


class CustomerConsents(Contract):
    customer_id: str
    consents: tuple[ConsentView, ...]


class MergedFrom(Contract):
    customer_id: str
    entry_id: str


class LedgerEntryView(Contract):
    id: str
    customer_id: str
    seq: int
    purpose: str
    channel: str | None = None
    decision: ConsentState
    previous_state: ConsentState
    state: ConsentState
    outcome: LedgerOutcome
    rule: str | None = None
    evidence: Evidence
    actor: Actor
    # The address the consent was given for; after erasure only its pseudonym remains.
    email: str | None = None
    pseudonym: str | None = None
    merged_from: MergedFrom | None = None
    requested_at: AwareDatetime | None = None
    recorded_at: AwareDatetime
    pseudonymised_at: AwareDatetime | None = None


class DecisionRecorded(Contract):
    entry: LedgerEntryView
    consents: tuple[ConsentView, ...]


class ConsentHistoryPage(Contract):
    items: tuple[LedgerEntryView, ...]
    next_cursor: str | None = None


class DoubleOptInStarted(Contract):
    purpose: str
    channel: str | None = None
    # Masked: the caller learns where the mail goes without reading the address in full.
    sent_to: str
    expires_at: AwareDatetime


class DoubleOptInConfirmed(Contract):
    purpose: str
    channel: str | None = None
    state: ConsentState
    confirmed_at: AwareDatetime


class GetConsents(Query):
    type: Literal["consent.get.v1"] = "consent.get.v1"
    customer_id: Id


class GetConsentOverview(Query):
    """What a page about the customer shows of consent, in one request: their consents, the
    newest entries of their ledger and every purpose (a decision can be recorded for an active
    one not decided yet)."""

    type: Literal["consent.overview.v1"] = "consent.overview.v1"
    customer_id: Id
    history: Annotated[int, Field(ge=1, le=200)] = 50


class ConsentOverview(Contract):
    consents: CustomerConsents
    history: ConsentHistoryPage
    purposes: PurposeList


class GetConsentHistory(Query):
    """The customer's ledger, newest entry first."""

    type: Literal["consent.history.v1"] = "consent.history.v1"
    customer_id: Id
    purpose: Purpose | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    # Opaque to the caller.
    cursor: Annotated[str, Field(max_length=50)] | None = None


class ConsentRate(Contract):
    purpose: str
    # None: the consent that holds for every channel.
    channel: str | None = None
    customers: int
    counts: dict[ConsentState, int]
    opt_in_rate: float
    double_opt_in_rate: float


class ConsentReport(Contract):
    customers: int
    rates: tuple[ConsentRate, ...]
    generated_at: AwareDatetime


class GetConsentReport(Query):
    type: Literal["consent.report.v1"] = "consent.report.v1"
    purpose: Purpose | None = None
