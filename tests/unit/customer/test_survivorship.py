"""Point 2: which value survives an order, whatever the order of delivery."""

from __future__ import annotations

import itertools
from typing import Any

from services.customer.domain.customer import Customer, new_customer
from services.customer.domain.orders import OrderSummary
from services.customer.domain.survivorship import OrderApplied, apply_order
from services.customer.use_cases.orders import order_of
from shared.contracts.orders import CanonicalOrder
from tests.support.orders import order
from tests.unit.customer.records import SHOP, T0, at, by_import, customer

_ids = itertools.count(1)


def apply(
    record: Customer, placed: CanonicalOrder, known: OrderSummary | None = None, **kwargs: Any
) -> OrderApplied:
    return apply_order(
        record,
        order_of(placed),
        known=known,
        actor=SHOP,
        now=at(100),
        default_region="DE",
        new_id=lambda: f"a{next(_ids)}",
        **kwargs,
    )


def test_a_new_buyer_gets_profile_contact_addresses_and_statistics() -> None:
    applied = apply(new_customer(customer_id="c1", number=10001, now=T0), order(customer_id="9"))
    record = applied.customer
    assert record.version == 1
    assert (record.first_name, record.last_name) == ("Anna", "Schmidt")
    assert record.primary_email == "anna.schmidt@example.com"
    assert record.phones == ("+4930901820",)
    assert record.channels == ("shopify:demo-store.myshopify.com",)
    assert record.channel_accounts == ("shopify:demo-store.myshopify.com:9",)
    [billing] = record.addresses
    assert record.default_billing_id == billing.id
    assert record.stats.order_count == 1
    assert applied.summary is not None


def test_updates_delivered_out_of_order_end_in_the_same_record() -> None:
    older = order(first_name="Max", updated_minutes=0, order_id="1")
    newer = order(first_name="Maximilian", updated_minutes=10, order_id="2")
    results = []
    for sequence in ((older, newer), (newer, older)):
        record = new_customer(customer_id="c1", number=10001, now=T0)
        for placed in sequence:
            record = apply(record, placed).customer
        results.append(record)
    assert results[0].first_name == results[1].first_name == "Maximilian"
    assert results[0].provenance["first_name"] == results[1].provenance["first_name"]


def test_an_import_never_overwrites_a_value_set_by_hand() -> None:
    record = customer(
        first_name="Anne",
        provenance={"first_name": by_import(0).model_copy(update={"by_hand": True})},
    )
    after = apply(record, order(first_name="Anna", updated_minutes=500)).customer
    assert after.first_name == "Anne"
    assert after.last_name == "Schmidt"


def test_an_older_state_of_a_known_order_changes_neither_summary_nor_statistics() -> None:
    first = apply(
        new_customer(customer_id="c1", number=10001, now=T0), order(order_id="7", updated_minutes=5)
    )
    assert first.summary is not None
    stale = apply(first.customer, order(order_id="7", updated_minutes=1), known=first.summary)
    assert stale.summary is None
    assert stale.customer.stats == first.customer.stats


def test_an_email_owned_by_another_customer_stays_there() -> None:
    record = customer(emails=())
    after = apply(record, order(email="taken@example.com"), foreign_emails={"taken@example.com"})
    assert after.customer.emails == ()


def test_a_relay_address_never_pushes_out_a_real_primary() -> None:
    record = apply(customer(), order(email="real@example.com")).customer
    record = apply(record, order(email="r1@marketplace.amazon.de", channel="amazon")).customer
    assert record.primary_email == "real@example.com"
    relay_first = apply(
        customer(), order(email="r1@marketplace.amazon.de", channel="amazon")
    ).customer
    assert (
        apply(relay_first, order(email="real@example.com")).customer.primary_email
        == "real@example.com"
    )


def test_an_address_without_a_street_is_skipped_with_the_reason_not_the_whole_order() -> None:
    placed = order()
    broken = placed.billing_address.model_copy(update={"line1": " "})  # type: ignore[union-attr]
    applied = apply(customer(), placed.model_copy(update={"billing_address": broken}))
    assert "billing_address" in applied.skipped
    assert applied.customer.addresses == ()
    assert applied.customer.stats.order_count == 1


def test_a_country_no_standard_knows_is_kept_as_given_and_flagged_unverified() -> None:
    placed = order()
    odd = placed.billing_address.model_copy(update={"country_code": "XX"})  # type: ignore[union-attr]
    applied = apply(customer(), placed.model_copy(update={"billing_address": odd}))
    [address] = applied.customer.addresses
    assert (address.country_code, address.unverified) == ("XX", ("country_code",))
    assert "billing_address.country_code" in applied.unverified
    assert applied.skipped == {}
    # Kosovo's user-assigned code is a country: nothing to flag.
    kosovo = placed.billing_address.model_copy(update={"country_code": "XK"})  # type: ignore[union-attr]
    applied = apply(customer(), placed.model_copy(update={"billing_address": kosovo}))
    assert applied.customer.addresses[0].unverified == ()
    assert applied.unverified == {}


def test_a_phone_that_does_not_parse_is_kept_as_given_and_flagged_unverified() -> None:
    placed = order(phone="call me maybe")
    applied = apply(customer(phones=()), placed)
    assert applied.customer.unverified_phones == ("call me maybe",)
    assert "buyer.phone" in applied.unverified
    # The billing address's number parsed: it is a verified phone.
    assert applied.customer.phones == ("+4930901820",)


def test_a_phone_extension_is_kept() -> None:
    applied = apply(customer(phones=()), order(phone="+49 30 901820 ext. 73824"))
    assert "+4930901820 ext. 73824" in applied.customer.phones
    assert applied.unverified == {}
