"""What the customer service tells the rest of the suite and what it accepts.

Events report changes of a customer record; commands ask for one (sent over request/reply by the
gateway, which must answer with validation errors, or over the work queue by other services);
queries read the record. `CustomerView` is the record as the API shows it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.customer_details import AddressInput, AddressView, BankAccountView
from shared.contracts.envelope import MAX_STORED_INT, NOT_BLANK, Command, Contract, Event, Id, Query

Text = Annotated[str, Field(max_length=300)]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[\w][\w .:/-]*$")]
Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
# A system customers are imported from (`old-crm`, `shopify-export`).
SOURCE_PATTERN = r"^[a-z][a-z0-9_-]{1,39}$"
Source = Annotated[str, Field(pattern=SOURCE_PATTERN)]
# Custom field keys: also what `extra.<key>` filters and error paths are named by.
FieldKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
# Custom fields' values by key: a key of another form is refused, so the document allows no other
# (its `patternProperties` alone would).
CustomValues = Annotated[
    dict[FieldKey, Any], Field(json_schema_extra={"additionalProperties": False})
]
# Filters of a search on custom fields: key -> value as text, converted by the field's type.
CustomFieldFilters = Annotated[
    dict[FieldKey, Annotated[str, Field(max_length=300)]], Field(max_length=10)
]
# The human-readable sequential number of a customer.
CustomerNumber = Annotated[int, Field(ge=1, le=MAX_STORED_INT)]
# Where the previous page of a search ended (it holds the sort value, a name up to 300 characters).
SearchCursor = Annotated[str, Field(max_length=500)]


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    MERGED = "merged"
    ERASED = "erased"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"
    UNSPECIFIED = "unspecified"


class CustomerRef(Contract):
    """Enough of a customer for another service to keep its own reference to them.

    `version` rises with every change of the record, so a consumer can ignore an event that
    arrives after a newer one.
    """

    customer_id: str
    customer_number: int
    version: int = Field(ge=1)
    status: CustomerStatus
    display_name: str | None = None
    primary_email: str | None = None


class FieldChange(Contract):
    field: str
    before: Any = None
    after: Any = None


# --- events ---------------------------------------------------------------------------------


class CustomerCreated(Event):
    type: Literal["customer.created.v1"] = "customer.created.v1"
    customer: CustomerRef


class CustomerUpdated(Event):
    """Any change of the record; the field-level changes say which."""

    type: Literal["customer.updated.v1"] = "customer.updated.v1"
    customer: CustomerRef
    changes: tuple[FieldChange, ...] = Field(min_length=1)


class CustomersMerged(Event):
    """A master absorbed other customers; what referred to them now belongs to the master."""

    type: Literal["customer.merged.v1"] = "customer.merged.v1"
    master: CustomerRef
    absorbed_ids: tuple[str, ...] = Field(min_length=1)


class CustomerErased(Event):
    """A person's data was erased (GDPR Art. 17): every service removes or pseudonymises theirs."""

    type: Literal["customer.erased.v1"] = "customer.erased.v1"
    customer: CustomerRef


class CustomerDisabled(Event):
    type: Literal["customer.disabled.v1"] = "customer.disabled.v1"
    customer: CustomerRef
    reason: str | None = None


class CustomerEnabled(Event):
    type: Literal["customer.enabled.v1"] = "customer.enabled.v1"
    customer: CustomerRef


class PasswordResetRequired(Event):
    """The customer must set a new password at their next sign-in (shops act on this)."""

    type: Literal["customer.password_reset_required.v1"] = "customer.password_reset_required.v1"
    customer: CustomerRef
    reason: str | None = None


class CustomerTagsChanged(Event):
    type: Literal["customer.tags_changed.v1"] = "customer.tags_changed.v1"
    customer: CustomerRef
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


# --- the record as shown --------------------------------------------------------------------


class EmailView(Contract):
    address: str
    primary: bool


class ProvenanceView(Contract):
    """Where a field's current value came from."""

    source: str
    at: AwareDatetime
    actor_type: str
    actor_id: str
    by_hand: bool


class CustomerStatsView(Contract):
    order_count: int = 0
    # Currency -> sum of the totals of orders neither cancelled nor refunded.
    revenue: dict[str, Decimal] = Field(default_factory=dict)
    first_order_at: AwareDatetime | None = None
    last_order_at: AwareDatetime | None = None


class CustomerView(Contract):
    """The customer record as the gateway shows it."""

    id: str
    customer_number: int
    status: CustomerStatus
    version: int
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    gender: Gender | None = None
    birthday: date | None = None
    language: str | None = None
    emails: tuple[EmailView, ...] = ()
    # E.164 (an extension after it: `+4930901820 ext. 73824`); the first is the primary number.
    phones: tuple[str, ...] = ()
    # Numbers a channel gave that are no possible phone number, kept as given (not verified).
    unverified_phones: tuple[str, ...] = ()
    addresses: tuple[AddressView, ...] = ()
    bank_accounts: tuple[BankAccountView, ...] = ()
    tags: tuple[str, ...] = ()
    company_id: str | None = None
    # Sales channels the customer bought through (`channel:shop`) and their accounts there.
    channels: tuple[str, ...] = ()
    channel_accounts: tuple[str, ...] = ()
    password_reset_required: bool = False
    extra: dict[str, Any] = Field(default_factory=dict)
    stats: CustomerStatsView = Field(default_factory=CustomerStatsView)
    provenance: dict[str, ProvenanceView] = Field(default_factory=dict)
    # Set on a tombstone: the customer this one was merged into.
    merged_into: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime


# --- commands -------------------------------------------------------------------------------


class EmailInput(Contract):
    address: Annotated[str, Field(min_length=3, max_length=320)]
    primary: bool = False


class CustomerPatch(Contract):
    """Profile values to set; a list (emails, phones, tags) replaces the whole list.

    `extra` is merged key by key: a key with the value null removes that custom field.
    """

    title: Annotated[str, Field(max_length=50)] | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    company: Text | None = None
    gender: Gender | None = None
    birthday: date | None = None
    language: Language | None = None
    emails: tuple[EmailInput, ...] | None = Field(None, max_length=20)
    phones: tuple[Annotated[str, Field(max_length=40)], ...] | None = Field(None, max_length=20)
    tags: tuple[Tag, ...] | None = Field(None, max_length=100)
    company_id: Id | None = None
    extra: CustomValues | None = None


ClearableField = Literal[
    "title",
    "first_name",
    "last_name",
    "company",
    "gender",
    "birthday",
    "language",
    "emails",
    "phones",
    "tags",
    "company_id",
]


class CustomerDraft(CustomerPatch):
    """A new customer as a person enters it; the first address becomes both defaults."""

    addresses: tuple[AddressInput, ...] = Field((), max_length=50)


class CreateCustomer(Command):
    type: Literal["customer.create.v1"] = "customer.create.v1"
    customer: CustomerDraft


class ImportCustomer(Command):
    """A customer from another system (a CRM migration, a shop's customer export).

    The record is found by `external_id` within `source`, else by email, else created. Like an
    order, an import never overwrites what a person set by hand, and an older state of the
    source record does not overwrite a newer one (`updated_at`).
    """

    type: Literal["customer.import.v1"] = "customer.import.v1"
    source: Source
    external_id: Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
    updated_at: AwareDatetime
    customer: CustomerDraft
    # Custom field values are text as a file holds them (a CSV cell): each is read by its
    # field's type (`42` for a number field, `true` for a boolean one).
    extra_as_text: bool = False


class UpdateCustomer(Command):
    type: Literal["customer.update.v1"] = "customer.update.v1"
    customer_id: Id
    set: CustomerPatch = Field(default_factory=CustomerPatch)
    clear: tuple[ClearableField, ...] = ()
    # Optimistic concurrency: refuse the change if the record is no longer at this version.
    expected_version: int | None = Field(None, ge=1)


class ChangeTags(Command):
    type: Literal["customer.tags.change.v1"] = "customer.tags.change.v1"
    customer_id: Id
    add: tuple[Tag, ...] = Field((), max_length=100)
    remove: tuple[Tag, ...] = Field((), max_length=100)


class DisableCustomer(Command):
    type: Literal["customer.disable.v1"] = "customer.disable.v1"
    customer_id: Id
    reason: Annotated[str, Field(max_length=500)] | None = None


class EnableCustomer(Command):
    type: Literal["customer.enable.v1"] = "customer.enable.v1"
    customer_id: Id


class RequirePasswordReset(Command):
    type: Literal["customer.require_password_reset.v1"] = "customer.require_password_reset.v1"
    customer_id: Id
    reason: Annotated[str, Field(max_length=500)] | None = None


class MergeCustomers(Command):
    """The master absorbs the sources; `candidate_id` when a duplicate candidate is accepted."""

    type: Literal["customer.merge.v1"] = "customer.merge.v1"
    master_id: Id
    source_ids: tuple[Id, ...] = Field(min_length=1, max_length=20)
    candidate_id: Annotated[str, Field(max_length=200)] | None = None


class EraseCustomer(Command):
    """GDPR Art. 17: anonymise the record, release its identities, keep an erasure entry."""

    type: Literal["customer.erase.v1"] = "customer.erase.v1"
    customer_id: Id
    reason: Annotated[str, Field(max_length=500)] | None = None


# --- queries --------------------------------------------------------------------------------


class GetCustomer(Query):
    type: Literal["customer.get.v1"] = "customer.get.v1"
    customer_id: Id


class CustomerSort(StrEnum):
    NUMBER = "number"
    NAME = "name"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


class FindCustomers(Query):
    """A page of customers matching all given filters, in a stable order."""

    type: Literal["customer.find.v1"] = "customer.find.v1"
    # Prefix of a first name, last name or full name; case and accents do not matter.
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)] | None = None
    email: Annotated[str, Field(max_length=320)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    number: CustomerNumber | None = None
    # A channel (`shopify`) or a channel's shop (`shopify:demo-store.myshopify.com`).
    channel: Annotated[str, Field(max_length=240)] | None = None
    tag: Tag | None = None
    # Merged and erased records are left out unless asked for by status.
    status: tuple[CustomerStatus, ...] = ()
    # Custom field key -> value as text; converted by the field's type.
    extra: CustomFieldFilters = Field(default_factory=dict)
    sort: CustomerSort = CustomerSort.NUMBER
    descending: bool = False
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    # Opaque to the caller: where the previous page ended.
    cursor: SearchCursor | None = None


class CustomerPage(Contract):
    items: tuple[CustomerView, ...]
    next_cursor: str | None = None
