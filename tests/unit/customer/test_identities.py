from __future__ import annotations

from typing import Any

import pytest

from services.customer.domain.identities import (
    IdentifierKind,
    identifiers_of,
    is_masked_email,
    normalise_email,
    normalise_phone,
)
from services.customer.domain.orders import Order
from services.customer.use_cases.orders import order_of
from tests.support.orders import order as canonical_order


def order(**kwargs: Any) -> Order:
    return order_of(canonical_order(**kwargs))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Anna.Schmidt@Example.COM", "anna.schmidt@example.com"),
        ("  max@example.com ", "max@example.com"),
        ("not-an-address", None),
        ("", None),
        (None, None),
    ],
)
def test_emails_are_normalised_or_refused(raw: str | None, expected: str | None) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("030 901820", "DE", "+4930901820"),
        ("+49 (30) 901820", "AT", "+4930901820"),
        ("0171 1234567", "DE", "+491711234567"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("12", "DE", "+4912"),
        ("call me", "DE", None),
    ],
)
def test_phones_become_e164(raw: str, region: str, expected: str | None) -> None:
    assert normalise_phone(raw, default_region=region) == expected


def test_a_number_typed_by_a_person_must_exist_in_the_numbering_plan() -> None:
    assert normalise_phone("12", default_region="DE", strict=True) is None
    assert normalise_phone("030 901820", default_region="DE", strict=True) == "+4930901820"


@pytest.mark.parametrize(
    "address",
    ["x1y2@marketplace.amazon.de", "abc@marketplace.amazon.co.uk", "u9@members.ebay.com"],
)
def test_marketplace_relay_addresses_are_masked(address: str) -> None:
    assert is_masked_email(address)


def test_ordinary_addresses_are_not_masked() -> None:
    assert not is_masked_email("anna@amazon.de")
    assert not is_masked_email("seller@ebay.example")


def test_an_account_is_the_strongest_identifier_and_scoped_to_its_shop() -> None:
    found = identifiers_of(
        order(customer_id="77", email="A@Example.com", shop="Demo.myshopify.com")
    )
    assert [i.key for i in found] == [
        "account:shopify:demo.myshopify.com:77",
        "email:a@example.com",
    ]


def test_a_masked_email_identifies_only_within_its_channel() -> None:
    [identifier] = identifiers_of(order(email="q1@marketplace.amazon.de", channel="amazon"))
    assert identifier.kind is IdentifierKind.MASKED_EMAIL
    assert identifier.key == "masked_email:amazon:q1@marketplace.amazon.de"


def test_a_guest_order_without_contact_is_identified_by_the_order_itself() -> None:
    [identifier] = identifiers_of(order(email=None, order_id="5001"))
    assert identifier.key == "order:shopify:demo-store.myshopify.com:5001"
