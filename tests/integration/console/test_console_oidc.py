"""Console sign-in at an OpenID Connect provider (a tiny one, served on a free port): the
authorization-code flow with PKCE, the person's roles from the ID token, and what is refused
(another browser's state, a code used twice)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Namespace, suite_of
from tests.integration.console.browser import served
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, FakeOidcProvider
from tests.support.tokens import IdentityProvider

CALLBACK = "http://gateway/console/sign-in/callback"


@pytest.fixture
async def provider(tmp_path: Path) -> AsyncIterator[FakeOidcProvider]:
    fake = FakeOidcProvider(IdentityProvider.create(tmp_path))
    async with served(fake.app()) as url:
        fake.issuer = url
        yield fake


@pytest.fixture
async def browser(
    namespace: Namespace, provider: FakeOidcProvider, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    settings = {
        "GATEWAY_OIDC_ISSUER": provider.issuer,
        "GATEWAY_OIDC_CLIENT_ID": CLIENT_ID,
        "GATEWAY_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "GATEWAY_OIDC_REDIRECT_URL": CALLBACK,
        "GATEWAY_JWT_ROLES_CLAIM": "realm_access.roles",
    }
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    async with (
        suite_of(namespace, ("customer", "gateway")) as suite,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=suite.apps["gateway"]), base_url="http://gateway"
        ) as client,
    ):
        yield client


async def at_provider(browser: httpx.AsyncClient) -> str:
    """Start at the console, pass the provider (which signs the person in at once), and
    return the callback URL the provider sends the browser back to."""
    start = await browser.get("/console/sign-in/provider")
    assert start.status_code == 303
    assert "code_challenge=" in start.headers["location"]
    async with httpx.AsyncClient() as outside:
        approved = await outside.get(start.headers["location"])
    assert approved.status_code == 303
    callback: str = approved.headers["location"]
    assert callback.startswith(CALLBACK)
    return callback


async def test_a_person_signs_in_at_the_provider(browser: httpx.AsyncClient) -> None:
    assert "/console/sign-in/provider" in (await browser.get("/console/sign-in")).text
    callback = await at_provider(browser)
    back = await browser.get(callback)
    assert back.status_code == 303
    assert back.headers["location"] == "/console/customers"
    page = await browser.get("/console/customers")
    assert page.status_code == 200
    assert "Petra Example (supporter)" in page.text

    # The same code again (a replayed callback) holds no more.
    browser.cookies.clear()
    assert (await browser.get(callback)).status_code == 401


async def test_a_callback_of_another_browser_is_refused(browser: httpx.AsyncClient) -> None:
    callback = await at_provider(browser)
    browser.cookies.clear()  # another browser: it did not start this sign-in
    refused = await browser.get(callback)
    assert refused.status_code == 401
    assert "not this browser" in refused.text
    assert (await browser.get("/console/customers")).status_code == 303
    denied = await browser.get("/console/sign-in/callback", params={"error": "access_denied"})
    assert denied.status_code == 401
