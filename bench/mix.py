"""A seeded, realistic stream of orders as the channels deliver them to ingest.

Shapes are the documented payloads of the channels (the test fixtures are the templates):
signed Shopify and WooCommerce webhooks and Amazon SP-API orders posted by an integration. The
people behind them behave like a shop's buyers: most buy once, some come back (with a new
address now and then), many check out as guests, Amazon hides their email behind a masked
marketplace address. The same seed gives the same stream, so runs compare.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from anyascii import anyascii

from shared.contracts.orders import order_key

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "channels"
SHOPIFY_SHOP = "bench-store.myshopify.com"
WOOCOMMERCE_SITE = "https://bench-shop.example.com"
WOOCOMMERCE_SHOP = "bench-shop.example.com"
AMAZON_MARKETPLACE = "A1PA6795UKMFR9"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "Deniz", "Emil", "Fatma", "Greta", "Hugo", "Ida", "Jonas", "Karin",
    "Luca", "Mia", "Noah", "Olga", "Paul", "Quirin", "Rosa", "Sven", "Tara", "Ugo", "Vera",
    "Wim", "Xenia", "Yusuf", "Zoe", "Siân", "Jörg", "Émilie", "Łukasz",
)  # fmt: skip
SYLLABLES = ("ber", "ka", "lin", "mo", "sch", "ri", "wa", "den", "ko", "tz", "hal", "nu", "ste")
STREETS = ("Lindenweg", "Hauptstraße", "Am Markt", "Gartenstraße", "Bahnhofstraße", "Ringstraße")
CITIES = (("10115", "Berlin"), ("80539", "München"), ("20095", "Hamburg"), ("50667", "Köln"))


@dataclass(frozen=True)
class Delivery:
    """One HTTP request to ingest, as a channel or an integration sends it."""

    channel: str
    path: str
    headers: dict[str, str]
    body: bytes
    order_key: str


@dataclass
class Person:
    number: int
    first_name: str
    last_name: str
    email: str
    phone: str
    addresses: list[tuple[str, str, str]] = field(default_factory=list)
    accounts: dict[str, int] = field(default_factory=dict)

    @property
    def masked_email(self) -> str:
        digest = hashlib.sha256(self.email.encode()).hexdigest()[:15]
        return f"{digest}@marketplace.amazon.de"


@dataclass(frozen=True)
class Secrets:
    """What ingest must be configured with to take the stream."""

    shopify: str = "bench-only-shopify-secret-0123456789"
    woocommerce: str = "bench-only-woocommerce-secret-0123456789"
    amazon_key: str = "bench-only-amazon-integration-key-0123456789"

    def ingest_env(self) -> dict[str, str]:
        return {
            "INGEST_SHOPIFY_SECRETS": json.dumps({SHOPIFY_SHOP: self.shopify}),
            "INGEST_WOOCOMMERCE_SECRETS": json.dumps({WOOCOMMERCE_SITE: self.woocommerce}),
            "INGEST_INTEGRATIONS": json.dumps(
                [
                    {
                        "channel": "amazon",
                        "shop": AMAZON_MARKETPLACE,
                        "marketplaces": [AMAZON_MARKETPLACE],
                        "api_key": self.amazon_key,
                    }
                ]
            ),
        }


@dataclass(frozen=True)
class Mix:
    """Shares of the stream; what is left of the channels after Shopify and WooCommerce is
    Amazon."""

    shopify: float = 0.5
    woocommerce: float = 0.3
    repeat_buyers: float = 0.3
    guests: float = 0.3
    new_address: float = 0.3


@cache
def _template(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / path).read_text())
    return loaded


def orders(count: int, *, seed: int = 7, run: str = "r", mix: Mix = Mix()) -> list[Delivery]:
    """`count` deliveries; order ids carry `run` so that runs against one database differ."""
    rng = random.Random(seed)
    secrets = Secrets()
    people: list[Person] = []
    stream = []
    for i in range(count):
        if people and rng.random() < mix.repeat_buyers:
            person = rng.choice(people)
            if rng.random() < mix.new_address:
                person.addresses.append(_address(rng))
        else:
            person = _person(rng, len(people), run)
            people.append(person)
        at = START + timedelta(seconds=i * 7)
        roll = rng.random()
        guest = rng.random() < mix.guests
        if roll < mix.shopify:
            stream.append(_shopify(person, f"{run}{i}", at, guest, secrets))
        elif roll < mix.shopify + mix.woocommerce:
            stream.append(_woocommerce(person, f"{run}{i}", at, guest, secrets))
        else:
            stream.append(_amazon(person, f"{run}{i}", at, secrets))
    return stream


def _person(rng: random.Random, number: int, run: str) -> Person:
    first = rng.choice(FIRST_NAMES)
    last = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
    return Person(
        number=number,
        first_name=first,
        last_name=last,
        email=f"{anyascii(first).lower()}.{last.lower()}.{run}{number}@example.com",
        phone=f"+49 30 {rng.randrange(1_000_000, 9_999_999)}",
        addresses=[_address(rng)],
    )


def _address(rng: random.Random) -> tuple[str, str, str]:
    postal_code, city = rng.choice(CITIES)
    return f"{rng.choice(STREETS)} {rng.randrange(1, 200)}", postal_code, city


def _signed(secret: str, body: bytes) -> str:
    import base64
    import hmac

    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _shopify(
    person: Person, order_id: str, at: datetime, guest: bool, secrets: Secrets
) -> Delivery:
    payload = copy.deepcopy(_template("shopify/orders_create_registered.json"))
    line1, postal_code, city = person.addresses[-1]
    address = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "address1": line1,
        "zip": postal_code,
        "city": city,
        "country_code": "DE",
        "phone": person.phone,
    }
    numeric_id = int(hashlib.sha256(order_id.encode()).hexdigest()[:12], 16)
    payload |= {
        "id": numeric_id,
        "name": f"#B{order_id}",
        "email": person.email,
        "contact_email": person.email,
        "phone": person.phone,
        "created_at": at.isoformat(),
        "processed_at": at.isoformat(),
        "updated_at": at.isoformat(),
        "billing_address": {**payload.get("billing_address", {}), **address},
        "shipping_address": {**payload.get("shipping_address", {}), **address},
    }
    if guest:
        payload["customer"] = None
    else:
        account = person.accounts.setdefault("shopify", 7_000_000 + person.number)
        payload["customer"] = {
            **(payload.get("customer") or {}),
            "id": account,
            "email": person.email,
            "phone": person.phone,
            "first_name": person.first_name,
            "last_name": person.last_name,
        }
    body = json.dumps(payload).encode()
    return Delivery(
        channel="shopify",
        path="/webhooks/shopify",
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": SHOPIFY_SHOP,
            "X-Shopify-Webhook-Id": f"bench-{order_id}",
            "X-Shopify-Hmac-Sha256": _signed(secrets.shopify, body),
        },
        body=body,
        order_key=order_key("shopify", SHOPIFY_SHOP, str(numeric_id)),
    )


def _woocommerce(
    person: Person, order_id: str, at: datetime, guest: bool, secrets: Secrets
) -> Delivery:
    payload = copy.deepcopy(_template("woocommerce/order_created_registered.json"))
    line1, postal_code, city = person.addresses[-1]
    numeric_id = int(hashlib.sha256(order_id.encode()).hexdigest()[:9], 16)
    address = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "company": "",
        "address_1": line1,
        "address_2": "",
        "city": city,
        "state": "",
        "postcode": postal_code,
        "country": "DE",
        "phone": person.phone,
    }
    stamp = at.replace(tzinfo=None).isoformat(timespec="seconds")
    payload |= {
        "id": numeric_id,
        "number": str(numeric_id),
        "currency": "EUR",
        "customer_id": 0
        if guest
        else person.accounts.setdefault("woocommerce", 10 + person.number),
        "billing": {**address, "email": person.email},
        "shipping": address,
        "date_created": stamp,
        "date_modified": stamp,
        "date_created_gmt": stamp,
        "date_modified_gmt": stamp,
    }
    body = json.dumps(payload).encode()
    return Delivery(
        channel="woocommerce",
        path="/webhooks/woocommerce",
        headers={
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": "order.created",
            "X-WC-Webhook-Source": f"{WOOCOMMERCE_SITE}/",
            "X-WC-Webhook-Delivery-Id": f"bench-{order_id}",
            "X-WC-Webhook-Signature": _signed(secrets.woocommerce, body),
        },
        body=body,
        order_key=order_key("woocommerce", WOOCOMMERCE_SHOP, str(numeric_id)),
    )


def _amazon(person: Person, order_id: str, at: datetime, secrets: Secrets) -> Delivery:
    payload = copy.deepcopy(_template("amazon/order_shipped.json"))
    line1, postal_code, city = person.addresses[-1]
    amazon_id = f"302-{order_id}"
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    payload["Order"] |= {
        "AmazonOrderId": amazon_id,
        "SellerOrderId": amazon_id,
        "PurchaseDate": stamp,
        "LastUpdateDate": stamp,
        "MarketplaceId": AMAZON_MARKETPLACE,
        "BuyerInfo": {
            "BuyerEmail": person.masked_email,
            "BuyerName": f"{person.first_name} {person.last_name}",
        },
        "ShippingAddress": {
            "Name": f"{person.first_name} {person.last_name}",
            "AddressLine1": line1,
            "City": city,
            "PostalCode": postal_code,
            "CountryCode": "DE",
            "Phone": person.phone,
        },
    }
    return Delivery(
        channel="amazon",
        path="/v1/channels/amazon/orders",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {secrets.amazon_key}",
        },
        body=json.dumps(payload).encode(),
        order_key=order_key("amazon", AMAZON_MARKETPLACE, amazon_id),
    )
