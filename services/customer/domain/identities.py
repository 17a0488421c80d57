"""Identifiers that say who a buyer is, normalised so that one person has one spelling.

An identifier's `key` is what the `identities` collection claims: the first customer to claim a
key owns it, so two consumers racing on one new buyer end up with one customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from shared.contracts.orders import CanonicalOrder


class IdentifierKind(StrEnum):
    # The channel's own account id: the strongest identifier there is.
    ACCOUNT = "account"
    EMAIL = "email"
    # A guest order without any usable contact: the order itself, so a retry finds its buyer.
    ORDER = "order"


@dataclass(frozen=True, order=True)
class Identifier:
    kind: IdentifierKind
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.value}"


def normalise_email(raw: str | None) -> str | None:
    """Lower-cased, syntax-checked address; None when there is no valid address.

    Deliverability is not checked: that needs DNS, and a buyer's address that a channel
    delivered orders to is the best evidence there is anyway.
    """
    if not raw or not raw.strip():
        return None
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def normalise_phone(raw: str | None, *, default_region: str) -> str | None:
    """E.164 (+4930123456); None when the number is not a possible number."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def account_id(channel: str, shop: str, channel_customer_id: str) -> str:
    return f"{channel}:{shop.lower()}:{channel_customer_id}"


def identifiers_of(order: CanonicalOrder) -> list[Identifier]:
    """The buyer's identifiers, strongest first; never empty."""
    found: list[Identifier] = []
    buyer = order.buyer
    if buyer.channel_customer_id:
        found.append(
            Identifier(
                IdentifierKind.ACCOUNT,
                account_id(order.channel, order.shop, buyer.channel_customer_id),
            )
        )
    email = normalise_email(buyer.email)
    if email:
        found.append(Identifier(IdentifierKind.EMAIL, email))
    if not found:
        found.append(
            Identifier(
                IdentifierKind.ORDER, f"{order.channel}:{order.shop.lower()}:{order.order_id}"
            )
        )
    return found
