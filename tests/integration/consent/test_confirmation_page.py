"""The double opt-in link opened in a browser: a page in the person's language saying the
subscription is confirmed, or that the link was used, expired or is unknown; no JSON, no asset
from the internet."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from pymongo import AsyncMongoClient

from shared.mongo import Document
from tests.conftest import Namespace, Suite, suite_of
from tests.integration.consent.conftest import CustomerService, known_to_consent
from tests.integration.consent.test_double_opt_in import mailer_opens, start, token_of
from tests.support.broker import Tap, tap

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
GERMAN = BROWSER | {"Accept-Language": "de-CH,de;q=0.9,en;q=0.5"}
URL = "/v1/consents/confirm"


def page(response: httpx.Response, status: int, language: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f'<html lang="{language}">' in html
    # Self-contained: nothing is fetched from elsewhere when the page opens.
    assert "src=" not in html
    assert "<link" not in html
    assert "@import" not in html
    return html


async def test_a_person_sees_the_confirmation_in_their_language_and_then_that_it_was_used(
    consent_suite: Suite, customers: CustomerService, events: Tap, mongo: AsyncMongoClient[Document]
) -> None:
    await customers.create("lena", "lena@example.com")
    await known_to_consent(consent_suite, mongo, "lena")
    await start(consent_suite, "lena")
    [mail] = await events.wait_for(1, "consent.double_opt_in_requested.v1")
    token = token_of(mailer_opens(mail))
    gateway = consent_suite.gateway

    confirmed = page(await gateway.get(URL, params={"token": token}, headers=GERMAN), 200, "de")
    assert "Ihre Anmeldung ist bestätigt" in confirmed
    assert "Nachrichten per E-Mail" in confirmed
    consents = (await gateway.get("/v1/customers/lena/consents")).json()["consents"]
    assert next(c for c in consents if c["purpose"] == "email")["state"] == "double_opt_in"

    # The link's own language (the mailer writes the mail's language into it) comes first.
    used = await gateway.get(URL, params={"token": token, "lang": "en"}, headers=GERMAN)
    assert "This link was used already" in page(used, 409, "en")


async def test_unknown_and_malformed_links_get_a_page_not_an_error_document(
    consent_suite: Suite,
) -> None:
    gateway = consent_suite.gateway
    for params in ({"token": "A" * 43}, {"token": "short<script>"}, {}):
        unknown = await gateway.get(URL, params=params, headers=BROWSER)
        assert "We do not know this link" in page(unknown, 404, "en")
        assert "<script>" not in unknown.text
    french = await gateway.get(URL, params={"lang": "fr"}, headers=BROWSER)
    assert "We do not know this link" in page(french, 404, "en")
    # An app asking for JSON still gets the problem naming the token.
    app = await gateway.get(URL, params={"token": "short"})
    assert app.status_code == 422
    assert app.json()["errors"][0]["field"] == "token"


@pytest.fixture
async def short_lived_links(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Suite]:
    monkeypatch.setenv("CONSENT_DOUBLE_OPT_IN_TTL_S", "1")
    async with suite_of(namespace, ("consent", "gateway")) as running:
        yield running


async def test_an_expired_link_says_so_and_changes_nothing(
    short_lived_links: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    suite = short_lived_links
    namespace = suite.namespace
    await customers.create("max", "max@example.com")
    await known_to_consent(suite, mongo, "max")
    async with tap(namespace.infra.amqp_url, namespace.topology.events.name, "consent.#") as mails:
        await start(suite, "max")
        [mail] = await mails.wait_for(1, "consent.double_opt_in_requested.v1")
    token = token_of(mailer_opens(mail))
    await asyncio.sleep(1.1)

    expired = await suite.gateway.get(URL, params={"token": token, "lang": "de"}, headers=BROWSER)
    assert "Dieser Link ist abgelaufen" in page(expired, 410, "de")
    consents = (await suite.gateway.get("/v1/customers/max/consents")).json()["consents"]
    assert next(c for c in consents if c["purpose"] == "email")["state"] == "none"
