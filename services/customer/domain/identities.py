"""Identifiers that say who a buyer is, normalised so that one person has one spelling.

An identifier's `key` is what the `identities` collection claims: the first customer to claim a
key owns it, so two consumers racing on one new buyer end up with one customer.

Phone numbers are normalised too (E.164), but they are not claimed: households and companies
share numbers, so a phone only proposes a duplicate candidate (see `duplicates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from services.customer.domain.channels import account_key
from services.customer.domain.orders import Order


class IdentifierKind(StrEnum):
    # The channel's own account id: the strongest identifier there is.
    ACCOUNT = "account"
    EMAIL = "email"
    # A marketplace's relay address: it names a buyer only within that marketplace.
    MASKED_EMAIL = "masked_email"
    # A guest order without any usable contact: the order itself, so a retry finds its buyer.
    ORDER = "order"
    # The customer's id in a system customers were imported from.
    EXTERNAL = "external"


# Relay addresses marketplaces hand to sellers instead of the buyer's own address.
_MASKED_DOMAINS = (
    re.compile(r"^marketplace\.amazon\.[a-z.]+$"),
    re.compile(r"^members\.ebay\.[a-z.]+$"),
)


@dataclass(frozen=True, order=True)
class Identifier:
    kind: IdentifierKind
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.value}"

    @property
    def email(self) -> str | None:
        """The address an email identifier names (a masked one's value leads with its channel)."""
        if self.kind is IdentifierKind.EMAIL:
            return self.value
        if self.kind is IdentifierKind.MASKED_EMAIL:
            return self.value.partition(":")[2]
        return None


# An order's addresses and phones are checked where it is read ahead, where its identifiers are
# taken and where the survivorship rules apply: the checks are pure and costly (a quarter of a
# batch's time when repeated), so each distinct spelling is checked once. Bounded: a process
# sees unbounded distinct addresses over its life.
_CHECKED = 8192


@lru_cache(maxsize=_CHECKED)
def _checked_email(address: str) -> tuple[str | None, str | None]:
    """(normalised address, None) for a valid address; (None, why) for an invalid one."""
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return None, str(error)
    return result.normalized.lower(), None


def normalise_email(raw: str | None) -> str | None:
    """Lower-cased, syntax-checked address; None when there is no valid address.

    Deliverability is not checked: that needs DNS, and a buyer's address that a channel
    delivered orders to is the best evidence there is anyway.
    """
    if not raw or not raw.strip():
        return None
    return _checked_email(raw.strip())[0]


def email_problem(raw: str) -> str | None:
    """Why an address is not valid, in the words of email-validator; None if it is."""
    return _checked_email(raw.strip())[1]


def is_masked_email(address: str) -> bool:
    domain = address.rpartition("@")[2]
    return any(pattern.match(domain) for pattern in _MASKED_DOMAINS)


@lru_cache(maxsize=_CHECKED)
def normalise_phone(raw: str | None, *, default_region: str, strict: bool = False) -> str | None:
    """E.164 (+4930123456, `+4930123456 ext. 73824` with an extension); None when the number
    is not a possible number.

    `strict` (a number a person types in) also requires a number the numbering plan knows;
    channel data is taken as long as it is possible, since refusing it loses a contact.
    """
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    if strict and not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # E.164 has no extension; a switchboard's extension is kept after it, not dropped.
    return f"{e164} ext. {number.extension}" if number.extension else e164


def email_identifier(address: str, *, channel: str | None) -> Identifier | None:
    """The identifier an address gives; a masked one only counts within its channel."""
    if is_masked_email(address):
        if channel is None:
            return None
        return Identifier(IdentifierKind.MASKED_EMAIL, f"{channel}:{address}")
    return Identifier(IdentifierKind.EMAIL, address)


def order_identifier(order: Order) -> Identifier:
    return Identifier(IdentifierKind.ORDER, order.key)


def identifiers_of(order: Order) -> list[Identifier]:
    """The buyer's identifiers, strongest first; never empty."""
    found: list[Identifier] = []
    buyer = order.buyer
    if buyer.channel_customer_id:
        found.append(
            Identifier(
                IdentifierKind.ACCOUNT,
                account_key(order.channel, order.shop, buyer.channel_customer_id),
            )
        )
    email = normalise_email(buyer.email)
    identifier = email_identifier(email, channel=order.channel) if email else None
    if identifier:
        found.append(identifier)
    if not found:
        found.append(order_identifier(order))
    return found


def identifiers_of_person(
    channel: str, shop: str, *, channel_customer_id: str | None, email: str | None
) -> list[Identifier]:
    """What a shop's privacy request names a person by, strongest first."""
    found: list[Identifier] = []
    if channel_customer_id:
        found.append(
            Identifier(IdentifierKind.ACCOUNT, account_key(channel, shop, channel_customer_id))
        )
    address = normalise_email(email)
    identifier = email_identifier(address, channel=channel) if address else None
    if identifier:
        found.append(identifier)
    return found


def external_identifier(source: str, external_id: str) -> Identifier:
    """A customer's id in the system it was imported from (`source`: that system's slug)."""
    return Identifier(IdentifierKind.EXTERNAL, f"{source}:{external_id}")


def belongs_to_shop(identity_key: str, shop_channel: str) -> bool:
    """True for a claimed identifier that names something of the shop (its `sales_channel`):
    an account there, or a guest order of it."""
    kinds = (IdentifierKind.ACCOUNT, IdentifierKind.ORDER)
    return any(identity_key.startswith(f"{kind.value}:{shop_channel}:") for kind in kinds)
