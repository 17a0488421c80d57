"""The console over HTTP: sign-in and its cookie, CSRF on every form, the screens rendered from
the services' answers as the caller's roles read them, sign-out."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import Namespace, Suite, suite_of
from tests.integration.console.support import (
    IBAN,
    csrf_of,
    key_with_roles,
    new_customer,
    sign_in,
)
from tests.support.access import BOOTSTRAP_KEY
from tests.support.waiting import eventually


async def test_an_anonymous_browser_is_sent_to_sign_in(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/console/customers", params={"name": "An"})
    assert page.status_code == 303
    assert page.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fcustomers%3Fname%3DAn"
    form = await browser.get("/console/sign-in")
    assert form.status_code == 200
    assert 'name="api_key"' in form.text
    assert (await browser.get("/console/static/console.css")).status_code == 200


async def test_sign_in_opens_a_session_only_for_the_console(browser: httpx.AsyncClient) -> None:
    refused = await sign_in(browser, "not-a-key-of-this-suite")
    assert refused.status_code == 401
    assert "not a key or token" in refused.text
    forged = await browser.post(
        "/console/sign-in", data={"csrf_token": "forged", "api_key": BOOTSTRAP_KEY}
    )
    assert forged.status_code == 403

    signed_in = await sign_in(browser, BOOTSTRAP_KEY)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/console/customers"
    cookie = next(
        c for c in signed_in.headers.get_list("set-cookie") if c.startswith("console_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/console" in cookie
    assert "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # tests run as in development: plain HTTP
    assert (await browser.get("/console/customers")).status_code == 200
    # The session opens the console, never the API.
    assert (await browser.get("/v1/customers")).status_code == 401


async def test_search_and_customer_360(console_suite: Suite, browser: httpx.AsyncClient) -> None:
    api = console_suite.gateway
    anna = await new_customer(
        api,
        first_name="Anna",
        last_name="Schmidt",
        emails=[{"address": "anna@example.com", "primary": True}],
        addresses=[{"line1": "Hauptstraße 5", "city": "Berlin", "country": "DE"}],
    )
    await new_customer(api, first_name="Bernd", last_name="Brot")
    url = f"/v1/customers/{anna['id']}"
    assert (await api.post(f"{url}/bank-accounts", json={"iban": IBAN, "holder": "A S"})).is_success
    assert (
        await api.post(f"{url}/notes", json={"text": "Calls mornings", "pinned": True})
    ).is_success
    await sign_in(browser, BOOTSTRAP_KEY)

    found = await browser.get("/console/customers", params={"name": "ann"})
    assert "Anna Schmidt" in found.text
    assert "Bernd" not in found.text
    bad = await browser.get("/console/customers", params={"number": "many"})
    assert 'aria-invalid="true"' in bad.text

    page = await browser.get(f"/console/customers/{anna['id']}")
    assert page.status_code == 200
    html = page.text
    assert "Anna Schmidt" in html
    assert "default billing" in html
    assert "Calls mornings" in html
    assert "A S" in html  # an admin reads the holder
    assert "DE89" not in html.replace("DE89 **", "")  # the service never shows a full IBAN
    assert 'class="timeline"' in html
    assert 'class="kind-created"' in html
    assert 'class="kind-bank_account_added"' in html

    filtered = await browser.get(f"/console/customers/{anna['id']}", params={"kind": "note_added"})
    assert 'class="kind-note_added"' in filtered.text
    assert 'class="kind-bank_account_added"' not in filtered.text
    assert (await browser.get("/console/customers/nobody-like-this")).status_code == 404


async def test_every_form_needs_the_session_csrf_token(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    anna = await new_customer(console_suite.gateway, first_name="Anna")
    await sign_in(browser, BOOTSTRAP_KEY)
    notes = f"/console/customers/{anna['id']}/notes"
    forged = await browser.post(notes, data={"text": "x", "csrf_token": "guess"})
    assert forged.status_code == 403
    page = await browser.get(f"/console/customers/{anna['id']}")
    added = await browser.post(
        notes, data={"text": "Prefers email", "csrf_token": csrf_of(page.text)}
    )
    assert added.status_code == 303
    assert "Prefers email" in (await browser.get(f"/console/customers/{anna['id']}")).text

    assert (
        await browser.post("/console/sign-out", data={"csrf_token": "guess"})
    ).status_code == 403
    out = await browser.post("/console/sign-out", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert (await browser.get("/console/customers")).status_code == 303


async def test_roles_shape_what_the_screens_show(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    anna = await new_customer(api, first_name="Anna", last_name="Schmidt")
    url = f"/v1/customers/{anna['id']}"
    assert (
        await api.post(f"{url}/bank-accounts", json={"iban": IBAN, "holder": "Konto Inhaberin"})
    ).is_success

    await sign_in(browser, await key_with_roles(api, "supporter"))
    supporter = (await browser.get(f"/console/customers/{anna['id']}")).text
    assert "Anna Schmidt" in supporter
    assert "Konto Inhaberin" not in supporter  # masked: the IBAN's end only
    assert "data-bank-accounts" in supporter
    # The read is in the access log, like a read through the API.
    log = (await api.get(f"/v1/customers/{anna['id']}/access-log")).json()["items"]
    console_reads = [e for e in log if e["route"] == "GET /console/customers/{customer_id}"]
    assert console_reads, log
    assert "bank" in console_reads[0]["field_groups"]

    browser.cookies.clear()
    await sign_in(browser, await key_with_roles(api, "analyst"))
    analyst = (await browser.get(f"/console/customers/{anna['id']}")).text
    assert "Schmidt" not in analyst
    assert "Your roles do not show bank accounts" in analyst
    search = await browser.get("/console/customers", params={"name": "Ann"})
    assert "not readable" in search.text or "field group" in search.text


async def test_a_revoked_key_ends_its_sessions(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    made = await api.post("/v1/api-keys", json={"name": "temp", "roles": ["supporter"]})
    await sign_in(browser, made.json()["key"])
    assert (await browser.get("/console/customers")).status_code == 200
    assert (await api.delete(f"/v1/api-keys/{made.json()['id']}")).is_success
    assert (await browser.get("/console/customers")).status_code == 303


async def test_edit_forms_show_refusals_beside_the_field(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    anna = await new_customer(
        api,
        first_name="Anna",
        addresses=[{"line1": "Hauptstraße 5", "city": "Berlin", "country": "DE"}],
    )
    address_id = anna["addresses"][0]["id"]
    await sign_in(browser, BOOTSTRAP_KEY)
    edit = await browser.get(f"/console/customers/{anna['id']}/edit")
    assert edit.status_code == 200
    csrf = csrf_of(edit.text)
    url = f"/console/customers/{anna['id']}/addresses/{address_id}"
    address = {"csrf_token": csrf, "line1": "Torstraße 1", "city": "Berlin"}

    refused = await browser.post(url, data=address | {"country": "Narnia"})
    assert refused.status_code == 422
    assert f'id="{address_id}-country-error"' in refused.text
    assert "not an ISO 3166 country" in refused.text
    assert 'value="Torstraße 1"' in refused.text, "what was typed stays in the form"

    saved = await browser.post(url, data=address | {"country": "DE", "default_billing": "1"})
    assert saved.status_code == 303
    assert "Torstraße 1" in (await browser.get(f"/console/customers/{anna['id']}")).text

    # The profile form was read at version N; someone changes the customer meanwhile.
    edit = await browser.get(f"/console/customers/{anna['id']}/edit")
    version = re.search(r'name="version" value="(\d+)"', edit.text)
    assert version is not None
    changed = await api.patch(f"/v1/customers/{anna['id']}", json={"first_name": "Anne"})
    assert changed.status_code == 200, changed.text
    profile = {"csrf_token": csrf, "version": version.group(1), "first_name": "Annika"}
    stale = await browser.post(f"/console/customers/{anna['id']}/profile", data=profile)
    assert stale.status_code == 409
    assert "Someone changed this customer meanwhile" in stale.text
    assert 'value="Anne"' in stale.text, "the form shows their version"
    current = await browser.post(
        f"/console/customers/{anna['id']}/profile",
        data=profile | {"version": re.search(r'name="version" value="(\d+)"', stale.text).group(1)},  # type: ignore[union-attr]
    )
    assert current.status_code == 303
    assert (await api.get(f"/v1/customers/{anna['id']}")).json()["first_name"] == "Annika"


async def test_consent_decisions_and_double_opt_in(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    anna = await new_customer(
        console_suite.gateway,
        first_name="Anna",
        emails=[{"address": "anna@example.com", "primary": True}],
    )
    await sign_in(browser, BOOTSTRAP_KEY)
    page = await browser.get(f"/console/customers/{anna['id']}")
    csrf = csrf_of(page.text)
    consents = f"/console/customers/{anna['id']}/consents"

    async def recorded() -> bool:
        decision = {"csrf_token": csrf, "purpose": "email", "state": "withdrawn"}
        answer = await browser.post(consents, data=decision | {"text": "Asked on the phone"})
        return answer.status_code == 303  # once the consent service knows the customer

    await eventually(recorded, what="the decision recorded")
    shown = (await browser.get(f"/console/customers/{anna['id']}")).text
    assert 'class="state withdrawn"' in shown
    assert "Asked on the phone" in shown

    started = await browser.post(
        f"{consents}/double-opt-in",
        data={"csrf_token": csrf, "purpose": "email", "text_version": "newsletter-v1"},
    )
    assert started.status_code == 303, started.text
    refused = await browser.post(
        consents, data={"csrf_token": csrf, "purpose": "email", "state": "maybe"}
    )
    assert refused.status_code == 422
    assert "one of" in refused.text


async def test_reports_for_their_readers(console_suite: Suite, browser: httpx.AsyncClient) -> None:
    api = console_suite.gateway
    await new_customer(api, first_name="Anna")
    await new_customer(api, first_name="Bernd")
    await sign_in(browser, await key_with_roles(api, "analyst"))
    page = await browser.get("/console/reports", params={"days": 7})
    assert page.status_code == 200
    assert "2 new customers" in page.text
    assert "Repeat purchases" in page.text
    assert "Consent rates" in page.text
    assert "0 open, 0 overdue" in page.text

    browser.cookies.clear()
    await sign_in(browser, await key_with_roles(api, "supporter"))
    refused = await browser.get("/console/reports")
    assert refused.status_code == 403
    assert "reports" in refused.text


async def test_an_admin_makes_and_revokes_keys(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    await sign_in(browser, BOOTSTRAP_KEY)
    page = await browser.get("/console/admin")
    assert page.status_code == 200
    assert "supporter" in page.text
    csrf = csrf_of(page.text)
    refused = await browser.post("/console/admin/keys", data={"csrf_token": csrf, "name": "x"})
    assert refused.status_code == 422
    assert "choose at least one role" in refused.text
    made = await browser.post(
        "/console/admin/keys",
        data={"csrf_token": csrf, "name": "Desk Berlin", "roles": ["supporter", "marketing"]},
    )
    assert made.status_code == 201
    found = re.search(r"<code data-new-key>([^<]+)</code>", made.text)
    assert found is not None
    key = found.group(1)
    key_id = re.search(r"/console/admin/keys/([0-9a-f]{16})/revoke", made.text)
    assert key_id is not None

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=console_suite.apps["gateway"]), base_url="http://gateway"
    ) as desk:
        assert (await sign_in(desk, key)).status_code == 303
        assert "Desk Berlin (supporter, marketing)" in (await desk.get("/console/customers")).text
        assert (await desk.get("/console/admin")).status_code == 403
        revoked = await browser.post(
            f"/console/admin/keys/{key_id.group(1)}/revoke", data={"csrf_token": csrf}
        )
        assert revoked.status_code == 303
        assert (await desk.get("/console/customers")).status_code == 303


async def test_tasks_as_a_list_and_a_board(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    await sign_in(browser, BOOTSTRAP_KEY)
    page = await browser.get("/console/tasks")
    csrf = csrf_of(page.text)
    for title in ("Call Anna", "Send the invoice"):
        made = await browser.post(
            "/console/tasks",
            data={"csrf_token": csrf, "title": title, "due_at": "2030-01-02T10:00"},
        )
        assert made.status_code == 303, made.text
    mine = await browser.get("/console/tasks")
    assert "Call Anna" in mine.text
    assert "2030-01-02 10:00" in mine.text
    task_id = re.search(r"/console/tasks/([^/]+)/status", mine.text)
    assert task_id is not None
    version = re.search(r'name="version" value="(\d+)"', mine.text)
    assert version is not None
    moved = await browser.post(
        f"/console/tasks/{task_id.group(1)}/status",
        data={"csrf_token": csrf, "status": "in_progress", "version": version.group(1)},
    )
    assert moved.status_code == 303
    board = await browser.get("/console/tasks", params={"board": "true", "team": "true"})
    assert "In progress (1)" in board.text
    assert "Pending (1)" in board.text
    bad = await browser.post(
        "/console/tasks", data={"csrf_token": csrf, "title": "x", "due_at": "soon"}
    )
    assert bad.status_code == 422
    assert "due_at" in bad.text


async def test_the_console_shares_the_principals_rate_limit(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEWAY_RATE_LIMIT", "3/minute")
    async with (
        suite_of(namespace, ("customer", "gateway")) as suite,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=suite.apps["gateway"]), base_url="http://gateway"
        ) as browser,
    ):
        await sign_in(browser, BOOTSTRAP_KEY)
        answers = [(await browser.get("/console/customers")).status_code for _ in range(4)]
        assert answers[:3] == [200, 200, 200]
        assert answers[3] == 429
        assert "Too many requests" in (await browser.get("/console/customers")).text


async def test_tags_added_and_removed(console_suite: Suite, browser: httpx.AsyncClient) -> None:
    anna = await new_customer(console_suite.gateway, first_name="Anna")
    await sign_in(browser, BOOTSTRAP_KEY)
    url = f"/console/customers/{anna['id']}"
    csrf = csrf_of((await browser.get(url)).text)
    assert (
        await browser.post(f"{url}/tags", data={"csrf_token": csrf, "add": "vip"})
    ).status_code == 303
    assert "Remove tag vip" in (await browser.get(url)).text
    bad = await browser.post(f"{url}/tags", data={"csrf_token": csrf, "add": "not a tag!"})
    assert bad.status_code == 422
    assert (
        await browser.post(f"{url}/tags", data={"csrf_token": csrf, "remove": "vip"})
    ).status_code == 303
    assert "Remove tag vip" not in (await browser.get(url)).text


async def test_an_erased_customer_has_a_page_its_consent_part_says_why_it_is_empty(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    gone = await new_customer(
        api, last_name="Gone", emails=[{"address": "gone@example.com", "primary": True}]
    )

    async def consent_knows_them() -> bool:
        return (await api.get(f"/v1/customers/{gone['id']}/consents")).status_code == 200

    await eventually(consent_knows_them, timeout=20, what="the consent service to learn them")
    erased = await api.post(f"/v1/customers/{gone['id']}/erase", json={"reason": "asked to"})
    assert erased.is_success, erased.text

    async def consent_refuses_them() -> bool:
        return (await api.get(f"/v1/customers/{gone['id']}/consents")).status_code == 410

    await eventually(consent_refuses_them, timeout=20, what="the erasure to reach consent")
    await sign_in(browser, BOOTSTRAP_KEY)
    page = await browser.get(f"/console/customers/{gone['id']}")
    assert page.status_code == 200, page.text
    assert "erased" in page.text
    assert f"Consent unavailable: customer {gone['id']} was erased" in page.text
