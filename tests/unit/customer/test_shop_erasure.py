"""A shop's erasure in the domain: who is erased, what the others lose, which claims go."""

from __future__ import annotations

from services.customer.domain.channels import sales_channel
from services.customer.domain.erasure import known_only_through, without_shop
from services.customer.domain.identities import belongs_to_shop, identifiers_of_person
from tests.unit.customer.records import at, customer

SHOP = sales_channel("shopify", "demo-store.myshopify.com")
OTHER = "shopify:outlet.myshopify.com"


def test_only_a_person_known_through_nothing_but_the_shop_is_erased() -> None:
    assert SHOP == "shopify:demo-store.myshopify.com"
    only_there = customer(channels=(SHOP,), origin_channel="shopify")
    assert known_only_through(only_there, SHOP)
    # Bought elsewhere too, entered by staff, imported from a CRM: the seller's customer still.
    assert not known_only_through(customer(channels=(SHOP, OTHER), origin_channel="shopify"), SHOP)
    assert not known_only_through(customer(channels=(SHOP,), origin_channel="api"), SHOP)
    assert not known_only_through(customer(channels=(SHOP,), origin_channel="old-crm"), SHOP)
    # The first of two shops was erased before: the second is all that is left.
    assert known_only_through(customer(channels=(OTHER,), origin_channel="shopify"), OTHER)


def test_the_others_lose_the_shop_and_their_accounts_there() -> None:
    both = customer(
        channels=(SHOP, "woocommerce:siop.example.co.uk"),
        channel_accounts=(f"{SHOP}:7001", "woocommerce:siop.example.co.uk:12"),
        origin_channel="shopify",
    )
    after = without_shop(both, SHOP, now=at(5))
    assert after.channels == ("woocommerce:siop.example.co.uk",)
    assert after.channel_accounts == ("woocommerce:siop.example.co.uk:12",)
    assert (after.version, after.updated_at) == (both.version + 1, at(5))
    assert without_shop(after, SHOP, now=at(6)) is after


def test_the_shops_accounts_and_guest_orders_are_its_claims() -> None:
    assert belongs_to_shop(f"account:{SHOP}:7001", SHOP)
    assert belongs_to_shop(f"order:{SHOP}:5001", SHOP)
    assert not belongs_to_shop(f"account:{OTHER}:7001", SHOP)
    assert not belongs_to_shop("email:anna@example.com", SHOP)
    assert not belongs_to_shop(f"account:{SHOP}x:1", SHOP)


def test_a_privacy_request_names_the_account_first_then_the_email() -> None:
    keys = [
        i.key
        for i in identifiers_of_person(
            "shopify", "demo-store.myshopify.com", channel_customer_id="7001", email="A@Example.com"
        )
    ]
    assert keys == [f"account:{SHOP}:7001", "email:a@example.com"]
    assert identifiers_of_person("shopify", "x", channel_customer_id=None, email="not mail") == []
