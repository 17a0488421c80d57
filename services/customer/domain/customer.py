"""The customer: the master data of one real person, with where each value came from.

A customer is immutable; every operation (an order, an edit, a merge) returns a new one, and
`changes_between` tells a person what changed, field by field, for the history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.customer.domain.text import fold
from shared.contracts.customers import CustomerStatus, FieldChange, Gender
from shared.contracts.envelope import Actor

# Fields an order or a person may set, each with its own provenance.
PROFILE_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "company",
    "gender",
    "birthday",
    "language",
    "company_id",
)
DEFAULT_ADDRESS_FIELDS = ("default_billing_id", "default_shipping_id")
LIST_FIELDS = ("emails", "phones", "tags", "channels", "channel_accounts")
FLAG_FIELDS = ("status", "password_reset_required", "merged_into")
# Customers in these states are history: they take no new data and cannot be merged.
CLOSED = (CustomerStatus.MERGED, CustomerStatus.ERASED)


class DomainModel(BaseModel):
    """Base of the domain's models: immutable; a change makes a new one."""

    model_config = ConfigDict(frozen=True)


class Provenance(DomainModel):
    source: str
    at: datetime
    actor: Actor
    # Set by a person: no order or import overwrites it.
    by_hand: bool = False


class EmailAddress(DomainModel):
    address: str
    primary: bool = False


class Address(DomainModel):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    line1: str
    line2: str | None = None
    postal_code: str | None = None
    city: str
    region: str | None = None
    country_code: str
    phone: str | None = None
    # Fields kept as the channel gave them because they could not be normalised (e.g. a
    # country code no standard knows): shown, never trusted for matching or mail.
    unverified: tuple[str, ...] = ()

    @property
    def content_key(self) -> str:
        """Equal for two addresses a person would call the same (the phone does not count)."""
        parts = (
            self.first_name,
            self.last_name,
            self.company,
            self.line1,
            self.line2,
            (self.postal_code or "").replace(" ", ""),
            self.city,
            self.country_code,
        )
        return "|".join(fold(p) for p in parts)

    def summary(self) -> dict[str, Any]:
        return self.model_dump(exclude={"id"}, exclude_none=True)


class BankAccount(DomainModel):
    id: str
    iban_masked: str
    # Keyed hash of the IBAN: finds the same account twice without decrypting anything.
    fingerprint: str
    # The IBAN, encrypted with the service's bank data key (never stored in clear).
    ciphertext: str
    bic: str | None = None
    bank_name: str | None = None
    country_code: str
    holder: str | None = None
    added_at: datetime


class OrderStats(DomainModel):
    order_count: int = 0
    revenue: dict[str, Decimal] = Field(default_factory=dict)
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None


class Customer(DomainModel):
    id: str
    number: int
    status: CustomerStatus = CustomerStatus.ACTIVE
    # 0 for a customer not stored yet.
    version: int = 1
    created_at: datetime
    updated_at: datetime
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    gender: Gender | None = None
    birthday: date | None = None
    language: str | None = None
    emails: tuple[EmailAddress, ...] = ()
    phones: tuple[str, ...] = ()
    # Numbers an order gave that are no possible phone number: kept as given, not verified.
    unverified_phones: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    default_billing_id: str | None = None
    default_shipping_id: str | None = None
    bank_accounts: tuple[BankAccount, ...] = ()
    tags: tuple[str, ...] = ()
    company_id: str | None = None
    channels: tuple[str, ...] = ()
    channel_accounts: tuple[str, ...] = ()
    # How the customer came to the suite: the first order's channel, or "api".
    origin_channel: str = "api"
    password_reset_required: bool = False
    extra: dict[str, Any] = Field(default_factory=dict)
    stats: OrderStats = Field(default_factory=OrderStats)
    merged_into: str | None = None
    closed_at: datetime | None = None
    provenance: dict[str, Provenance] = Field(default_factory=dict)

    @property
    def primary_email(self) -> str | None:
        return next((e.address for e in self.emails if e.primary), None)

    @property
    def display_name(self) -> str | None:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.company or None

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    def address(self, address_id: str) -> Address | None:
        return next((a for a in self.addresses if a.id == address_id), None)

    def changed(self, now: datetime, **update: Any) -> Customer:
        """This customer with `update` applied, as their next version."""
        return self.model_copy(update=update | {"version": self.version + 1, "updated_at": now})


def new_customer(
    *, customer_id: str, number: int, now: datetime, origin_channel: str = "api"
) -> Customer:
    return Customer(
        id=customer_id,
        number=number,
        created_at=now,
        updated_at=now,
        version=0,
        origin_channel=origin_channel,
    )


def changes_between(before: Customer, after: Customer) -> tuple[FieldChange, ...]:
    """Field-level differences a person reads in the history (bank details only masked)."""
    changes: list[FieldChange] = []

    def compare(field: str, old: Any, new: Any) -> None:
        if old != new:
            changes.append(FieldChange(field=field, before=old, after=new))

    for name in (*PROFILE_FIELDS, *DEFAULT_ADDRESS_FIELDS, *FLAG_FIELDS):
        compare(name, _plain(getattr(before, name)), _plain(getattr(after, name)))
    compare("emails", _emails(before), _emails(after))
    for name in ("phones", "unverified_phones", "tags", "channels", "channel_accounts"):
        compare(name, list(getattr(before, name)), list(getattr(after, name)))
    old_addresses = {a.id: a.summary() for a in before.addresses}
    new_addresses = {a.id: a.summary() for a in after.addresses}
    for address_id in sorted(old_addresses.keys() | new_addresses.keys()):
        compare(
            f"addresses.{address_id}",
            old_addresses.get(address_id),
            new_addresses.get(address_id),
        )
    old_accounts = {b.id: b.iban_masked for b in before.bank_accounts}
    new_accounts = {b.id: b.iban_masked for b in after.bank_accounts}
    for account_id in sorted(old_accounts.keys() | new_accounts.keys()):
        compare(
            f"bank_accounts.{account_id}",
            old_accounts.get(account_id),
            new_accounts.get(account_id),
        )
    for key in sorted(before.extra.keys() | after.extra.keys()):
        compare(f"extra.{key}", before.extra.get(key), after.extra.get(key))
    return tuple(changes)


def _emails(customer: Customer) -> list[str]:
    return [e.address for e in customer.emails]


def _plain(value: Any) -> Any:
    """History values as JSON-friendly plain values."""
    if isinstance(value, date):
        return value.isoformat()
    return value
