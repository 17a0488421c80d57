"""GDPR: requests that reach the suite through a channel, and the export of a person's data.

Shopify's mandatory privacy webhooks become these commands (ingest sends them, the customer
service acts on them): a data request is recorded in the person's timeline and announced, and
the export (`GET /v1/customers/{id}/export`, Art. 15/20) is what fulfils it; a redaction erases
the person (Art. 17) with the customer service's one erasure; a shop's redaction erases what
the suite holds only because of that shop.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.consent import ConsentView, LedgerEntryView
from shared.contracts.customer_history import ActivityView, OrderSummaryView
from shared.contracts.customer_notes import NoteView
from shared.contracts.customers import CustomerRef, CustomerView
from shared.contracts.envelope import Actor, Command, Contract, Event, Id, Query
from shared.contracts.orders import ShopName as Shop

ChannelName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
ChannelId = Annotated[str, Field(min_length=1, max_length=100)]
Email = Annotated[str, Field(max_length=320)]
# Shopify lists every order of the person; a person with more is still one request.
OrderIds = Annotated[tuple[ChannelId, ...], Field(max_length=5000)]


class DataRequest(Contract):
    """A person's request for their data, as the channel that passed it on names it."""

    channel: ChannelName
    shop: Shop
    request_id: ChannelId


class RecordDataRequest(Command):
    """A person asked a shop for the data held on them (Shopify `customers/data_request`).

    The person is the owner of their account at the channel, else of their email address.
    """

    type: Literal["customer.data_request.record.v1"] = "customer.data_request.record.v1"
    request: DataRequest
    channel_customer_id: ChannelId | None = None
    email: Email | None = None
    orders_requested: OrderIds = ()


class CustomerDataRequested(Event):
    """A data request exists; an export of the customer fulfils it."""

    type: Literal["customer.data_requested.v1"] = "customer.data_requested.v1"
    request: DataRequest
    # None: the suite holds nothing on the person, so there is nothing to export.
    customer: CustomerRef | None = None
    orders_requested: OrderIds = ()


class EraseChannelCustomer(Command):
    """Erase the person a shop names (Shopify `customers/redact`).

    The person is the owner of their account at the channel, else of their email address, else
    of one of their orders there; nobody found means nothing is held and nothing is erased.
    """

    type: Literal["customer.erase_channel_customer.v1"] = "customer.erase_channel_customer.v1"
    channel: ChannelName
    shop: Shop
    channel_customer_id: ChannelId | None = None
    email: Email | None = None
    order_ids: OrderIds = ()
    reason: Annotated[str, Field(max_length=500)] | None = None


class EraseShop(Command):
    """Erase what the suite holds through a shop (Shopify `shop/redact`, 48 hours after the shop
    removed the app).

    Runs in batches: each batch sends one `EraseShopFromCustomer` per customer of the shop and,
    while there are more, this command again with the `cursor` where the batch ended.
    """

    type: Literal["customer.shop.erase.v1"] = "customer.shop.erase.v1"
    channel: ChannelName
    shop: Shop
    # The message id of the first batch: every message of the run is named after it, so a
    # redelivered batch sends the very same messages again (which the inbox then skips).
    run_id: Annotated[str, Field(min_length=1, max_length=100)]
    cursor: Annotated[str, Field(max_length=500)] | None = None


class EraseShopFromCustomer(Command):
    """One customer of an erased shop: erased if the shop is all the suite knows them through,
    otherwise only what ties them to the shop is removed."""

    type: Literal["customer.shop.erase_from_customer.v1"] = "customer.shop.erase_from_customer.v1"
    customer_id: Id
    channel: ChannelName
    shop: Shop


# --- the export ---------------------------------------------------------------------------


class GetCustomerExport(Query):
    type: Literal["customer.export.v1"] = "customer.export.v1"
    customer_id: Id


class CustomerExport(Contract):
    """Everything the customer service holds on a person.

    For a record merged into another, only `customer` (a tombstone naming `merged_into`).
    """

    customer: CustomerView
    # What the suite recognises the person by (`email:...`, `account:shopify:shop:id`).
    identities: tuple[str, ...] = ()
    # Records merged into this one over time: their own consent ledgers belong to the export.
    absorbed_ids: tuple[str, ...] = ()
    orders: tuple[OrderSummaryView, ...] = ()
    notes: tuple[NoteView, ...] = ()
    # The timeline, newest first.
    history: tuple[ActivityView, ...] = ()


class RecordDataExport(Command):
    """The customer's data was handed out: who did it and when goes into their timeline."""

    type: Literal["customer.data_export.record.v1"] = "customer.data_export.record.v1"
    customer_id: Id
    # How many items of each part the export held, e.g. {"orders": 3, "consent_ledger": 2}.
    contents: dict[Annotated[str, Field(max_length=40)], int] = Field(
        default_factory=dict, max_length=20
    )


class DataExportRecorded(Contract):
    customer_id: str
    # The data requests this export answers: those received since the previous export.
    fulfils: tuple[DataRequest, ...] = ()


class CustomerDataExported(Event):
    type: Literal["customer.data_exported.v1"] = "customer.data_exported.v1"
    customer: CustomerRef
    fulfils: tuple[DataRequest, ...] = ()


class PersonalDataExport(CustomerExport):
    """The document `GET /v1/customers/{id}/export` answers with: everything the suite holds on
    the person, from every service that holds some, in one machine-readable file."""

    format: Literal["customer-suite.personal-data.v1"] = "customer-suite.personal-data.v1"
    exported_at: AwareDatetime
    exported_by: Actor
    # Consent: the current state per purpose, and every ledger entry with its evidence (also
    # those of the absorbed records).
    consents: tuple[ConsentView, ...] = ()
    consent_ledger: tuple[LedgerEntryView, ...] = ()
    # The data requests this export fulfils.
    fulfils: tuple[DataRequest, ...] = ()
