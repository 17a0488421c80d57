"""Helpers of the console tests: a browser-like client (cookies, no redirects followed), the
CSRF token of a page, and customers made through the API."""

from __future__ import annotations

import re
from typing import Any

import httpx

IBAN = "DE89370400440532013000"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def sign_in(browser: httpx.AsyncClient, key: str) -> httpx.Response:
    form = await browser.get("/console/sign-in")
    return await browser.post(
        "/console/sign-in",
        data={"csrf_token": csrf_of(form.text), "api_key": key, "next": "/console/customers"},
    )


async def new_customer(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    created = await api.post("/v1/customers", json=fields)
    assert created.status_code == 201, created.text
    customer: dict[str, Any] = created.json()
    return customer


async def key_with_roles(api: httpx.AsyncClient, *roles: str) -> str:
    made = await api.post("/v1/api-keys", json={"name": "-".join(roles), "roles": list(roles)})
    assert made.status_code == 201, made.text
    key: str = made.json()["key"]
    return key
