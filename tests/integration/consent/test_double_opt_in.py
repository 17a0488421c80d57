"""Double opt-in: the mail a mailer sends, the public link, single use, expiry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pymongo import AsyncMongoClient

from services.consent.domain.tokens import token_digest, unseal
from services.consent.settings import ConsentSettings
from shared.mongo import Document
from tests.conftest import Namespace, Suite, suite_of
from tests.integration.consent.conftest import CustomerService, known_to_consent
from tests.support.broker import Tap, tap

PROBLEM = "application/problem+json"


def mailer_opens(mail: dict[str, Any]) -> str:
    """What a mailer does with the event: open the sealed link with the shared secret."""
    secret = ConsentSettings().mailer_secret.get_secret_value().encode()
    return unseal(secret, mail["sealed_confirm_url"])


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def start(suite: Suite, customer_id: str, **body: Any) -> dict[str, Any]:
    response = await suite.gateway.post(
        f"/v1/customers/{customer_id}/consents/double-opt-in",
        json={"purpose": "email", "text_version": "newsletter-v3"} | body,
    )
    assert response.status_code == 202, response.text
    started: dict[str, Any] = response.json()
    return started


async def test_a_confirmed_link_makes_it_a_double_opt_in_with_evidence(
    consent_suite: Suite,
    customers: CustomerService,
    events: Tap,
    mongo: AsyncMongoClient[Document],
) -> None:
    await customers.create("hanna", "hanna@example.com")
    await known_to_consent(consent_suite, mongo, "hanna")
    gateway = consent_suite.gateway
    # She had withdrawn; confirming a double opt-in is her own decision, so it counts.
    withdrawn = await gateway.post(
        "/v1/customers/hanna/consents",
        json={"purpose": "email", "state": "withdrawn", "evidence": {"source": "supporter"}},
    )
    assert withdrawn.status_code == 201

    started = await start(consent_suite, "hanna", channel="shopify", ip_address="198.51.100.4")
    assert started["sent_to"] == "h***@example.com"
    assert "token" not in str(started)

    [mail] = await events.wait_for(1, "consent.double_opt_in_requested.v1")
    assert (mail["email"], mail["purpose"], mail["channel"]) == (
        "hanna@example.com",
        "email",
        "shopify",
    )
    link = mailer_opens(mail)
    assert link.startswith(ConsentSettings().confirm_url + "?token=")
    token = token_of(link)

    # The database knows the token only by its hash, nowhere in clear.
    db = consent_suite.db(mongo, "consent")
    secret = ConsentSettings().token_secret.get_secret_value().encode()
    stored = await db["double_opt_in"].find_one({"_id": token_digest(secret, token)})
    assert stored is not None
    assert stored["used_at"] is None
    for collection in ("double_opt_in", "outbox", "ledger", "inbox"):
        async for doc in db[collection].find():
            assert token not in str(doc), f"the raw token is stored in {collection}"

    confirmed = await gateway.get(
        "/v1/consents/confirm", params={"token": token}, headers={"User-Agent": "Mail/1.0"}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "double_opt_in"

    history = (await gateway.get("/v1/customers/hanna/consents/history")).json()["items"]
    latest = history[0]
    assert (latest["previous_state"], latest["state"], latest["outcome"]) == (
        "withdrawn",
        "double_opt_in",
        "applied",
    )
    assert latest["evidence"]["source"] == "double_opt_in"
    assert latest["evidence"]["text_version"] == "newsletter-v3"
    assert latest["evidence"]["user_agent"] == "Mail/1.0"
    assert latest["evidence"]["ip_address"]  # the clicking client's address
    assert latest["email"] == "hanna@example.com"
    assert latest["requested_at"] is not None
    assert latest["actor"] == {"type": "customer", "id": "hanna"}

    # The confirmation was for Shopify: that channel changed, the general withdrawal stands.
    changed = await events.wait_for(2, "consent.changed.v1")
    assert [(c["channel"], c["previous_state"], c["state"]) for c in changed] == [
        (None, "none", "withdrawn"),
        ("shopify", "withdrawn", "double_opt_in"),
    ]

    # The link works once.
    again = await gateway.get("/v1/consents/confirm", params={"token": token})
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    assert again.json()["type"] == "urn:problem:consent-token-used"
    assert again.json()["errors"] == [{"field": "token", "message": "this link was used already"}]


async def test_unknown_tampered_and_malformed_links_are_refused(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    gateway = consent_suite.gateway
    unknown = await gateway.get("/v1/consents/confirm", params={"token": "A" * 43})
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "urn:problem:consent-token-unknown"
    malformed = await gateway.get("/v1/consents/confirm", params={"token": "short"})
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "token"
    # A link without a token was issued by nobody (its document says the token may be left out).
    missing = await gateway.get("/v1/consents/confirm")
    assert (missing.status_code, missing.json()["type"]) == (
        404,
        "urn:problem:consent-token-unknown",
    )

    await customers.create("ivo", "ivo@example.com")
    await known_to_consent(consent_suite, mongo, "ivo")
    no_text = await gateway.post(
        "/v1/customers/ivo/consents/double-opt-in", json={"purpose": "email"}
    )
    assert no_text.status_code == 422
    assert {e["field"] for e in no_text.json()["errors"]} == {"text_version"}
    nobody = await gateway.post(
        "/v1/customers/nobody/consents/double-opt-in",
        json={"purpose": "email", "text_version": "v1"},
    )
    assert nobody.status_code == 404


@pytest.fixture
async def short_lived_links(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Suite]:
    monkeypatch.setenv("CONSENT_DOUBLE_OPT_IN_TTL_S", "1")
    async with suite_of(namespace, ("consent", "gateway")) as running:
        yield running


async def test_an_expired_link_is_refused(
    short_lived_links: Suite,
    customers: CustomerService,
    mongo: AsyncMongoClient[Document],
) -> None:
    suite = short_lived_links
    namespace = suite.namespace
    await customers.create("jo", "jo@example.com")
    await known_to_consent(suite, mongo, "jo")
    async with tap(namespace.infra.amqp_url, namespace.topology.events.name, "consent.#") as mails:
        await start(suite, "jo")
        [mail] = await mails.wait_for(1, "consent.double_opt_in_requested.v1")
    token = token_of(mailer_opens(mail))

    # The link lives one second.
    await asyncio.sleep(1.1)
    response = await suite.gateway.get("/v1/consents/confirm", params={"token": token})
    assert response.status_code == 410
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:problem:consent-token-expired"
    assert response.json()["errors"][0]["field"] == "token"
    consents = (await suite.gateway.get("/v1/customers/jo/consents")).json()["consents"]
    assert next(c for c in consents if c["purpose"] == "email")["state"] == "none"
