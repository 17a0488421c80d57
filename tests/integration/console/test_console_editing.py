"""The console's customer-side edit screens over HTTP against the suite: bank accounts (added,
replaced, removed; masked for who reads them masked; refused to who may not write them),
custom field values typed by their definitions, notes pinned, edited and removed, tasks with
reminders and recurrence, notifications marked read, consent purposes; every form refused
without the session's CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import Suite
from tests.integration.console.support import (
    IBAN,
    csrf_of,
    key_with_roles,
    new_customer,
    sign_in,
)
from tests.support.access import BOOTSTRAP_KEY
from tests.support.waiting import eventually

OTHER_IBAN = "GB82WEST12345698765432"


def error_beside(html: str, field_id: str) -> str:
    """The message shown beside the field, which names it as its description."""
    assert f'aria-describedby="{field_id}-error"' in html, f"{field_id} is not marked invalid"
    found = re.search(rf'<p id="{re.escape(field_id)}-error" class="error">([^<]*)</p>', html)
    assert found, f"no message beside {field_id}"
    return found.group(1)


async def test_bank_accounts_added_replaced_and_removed(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    anna = await new_customer(api, first_name="Anna")
    edit_url = f"/console/customers/{anna['id']}/edit"
    await sign_in(browser, BOOTSTRAP_KEY)
    csrf = csrf_of((await browser.get(edit_url)).text)
    new = f"/console/customers/{anna['id']}/bank-accounts/new"

    refused = await browser.post(
        new, data={"csrf_token": csrf, "iban": "DE00 1234 5678", "holder": "Anna S"}
    )
    assert refused.status_code == 422
    assert "IBAN" in error_beside(refused.text, "bank-new-iban")
    assert 'value="Anna S"' in refused.text, "what was typed stays in the form"
    assert (await api.get(f"/v1/customers/{anna['id']}/bank-accounts")).json() == []

    added = await browser.post(new, data={"csrf_token": csrf, "iban": IBAN, "holder": "Anna S"})
    assert added.status_code == 303
    [account] = (await api.get(f"/v1/customers/{anna['id']}/bank-accounts")).json()
    again = await browser.post(new, data={"csrf_token": csrf, "iban": IBAN})
    assert again.status_code == 409
    assert error_beside(again.text, "bank-new-iban") == "the customer has this account already"

    replace = f"/console/customers/{anna['id']}/bank-accounts/{account['id']}"
    bad = await browser.post(replace, data={"csrf_token": csrf, "iban": "XX12"})
    assert bad.status_code == 422
    error_beside(bad.text, f"bank-{account['id']}-iban")
    kept = (await api.get(f"/v1/customers/{anna['id']}/bank-accounts")).json()
    assert [a["id"] for a in kept] == [account["id"]], "a refused IBAN leaves the account"
    replaced = await browser.post(replace, data={"csrf_token": csrf, "iban": OTHER_IBAN})
    assert replaced.status_code == 303
    [now] = (await api.get(f"/v1/customers/{anna['id']}/bank-accounts")).json()
    assert now["country_code"] == "GB"
    assert now["id"] != account["id"]

    page = (await browser.get(edit_url)).text
    assert now["iban_masked"] in page
    assert OTHER_IBAN not in page
    removed = await browser.post(
        f"/console/customers/{anna['id']}/bank-accounts/{now['id']}/remove",
        data={"csrf_token": csrf},
    )
    assert removed.status_code == 303
    assert (await api.get(f"/v1/customers/{anna['id']}/bank-accounts")).json() == []


async def test_bank_accounts_by_role(console_suite: Suite, browser: httpx.AsyncClient) -> None:
    api = console_suite.gateway
    anna = await new_customer(api, first_name="Anna", last_name="Schmidt")
    url = f"/console/customers/{anna['id']}"

    # A supporter writes bank accounts but reads them masked: no holder, no full IBAN.
    await sign_in(browser, await key_with_roles(api, "supporter"))
    csrf = csrf_of((await browser.get(f"{url}/edit")).text)
    added = await browser.post(
        f"{url}/bank-accounts/new",
        data={"csrf_token": csrf, "iban": IBAN, "holder": "Konto Inhaberin"},
    )
    assert added.status_code == 303
    edit = (await browser.get(f"{url}/edit")).text
    assert "**30 00" in edit
    assert IBAN not in edit
    assert "Konto Inhaberin" not in edit
    assert "Replace bank account" in edit

    # Marketing reads names but neither reads nor writes bank accounts.
    browser.cookies.clear()
    await sign_in(browser, await key_with_roles(api, "marketing"))
    edit = (await browser.get(f"{url}/edit")).text
    assert "Anna" in edit
    assert "bank-accounts/new" not in edit
    csrf = csrf_of(edit)
    refused = await browser.post(
        f"{url}/bank-accounts/new", data={"csrf_token": csrf, "iban": OTHER_IBAN}
    )
    assert refused.status_code == 403
    assert "bank" in refused.text
    [account] = (await api.get(f"/v1/customers/{anna['id']}/bank-accounts")).json()
    assert (
        await browser.post(f"{url}/bank-accounts/{account['id']}/remove", data={"csrf_token": csrf})
    ).status_code == 403

    # An analyst sees no names, on the edit screen either.
    browser.cookies.clear()
    await sign_in(browser, await key_with_roles(api, "analyst"))
    edit = (await browser.get(f"{url}/edit")).text
    assert "Anna" not in edit
    assert "Schmidt" not in edit
    assert "Your roles do not show the profile" in edit


async def define(api: httpx.AsyncClient, key: str, field_type: str, **spec: Any) -> None:
    body = {"key": key, "field_type": field_type, "label": key.replace("_", " ").title()}
    made = await api.post("/v1/custom-fields", json=body | spec)
    assert made.status_code == 201, made.text


async def test_custom_fields_typed_by_their_definitions(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    await define(api, "shoe_size", "number")
    await define(api, "newsletter_paper", "boolean")
    await define(api, "tier", "enum", enum_values=["gold", "silver"])
    await define(api, "birthday", "date")
    anna = await new_customer(api, first_name="Anna", extra={"tier": "silver"})
    url = f"/console/customers/{anna['id']}"
    await sign_in(browser, BOOTSTRAP_KEY)
    assert f'href="{url}/edit#fields-h">Edit custom fields' in (await browser.get(url)).text
    edit = (await browser.get(f"{url}/edit")).text
    assert 'id="field-shoe_size" name="extra.shoe_size" type="number"' in edit
    assert 'id="field-birthday" name="extra.birthday" type="date"' in edit
    assert "<option selected>silver</option>" in edit
    csrf = csrf_of(edit)
    version = re.search(r'name="version" value="(\d+)"', edit)
    assert version is not None
    form = {"csrf_token": csrf, "version": version.group(1)}

    refused = await browser.post(
        f"{url}/custom-fields",
        data=form | {"extra.shoe_size": "many", "extra.tier": "silver"},
    )
    assert refused.status_code == 422
    assert error_beside(refused.text, "field-shoe_size") == "must be a number"
    assert 'value="many"' in refused.text
    refused = await browser.post(
        f"{url}/custom-fields", data=form | {"extra.tier": "bronze", "extra.birthday": "May"}
    )
    assert refused.status_code == 422  # the customer service's own messages
    assert error_beside(refused.text, "field-tier") == "must be one of gold, silver"
    assert "YYYY-MM-DD" in error_beside(refused.text, "field-birthday")

    saved = await browser.post(
        f"{url}/custom-fields",
        data=form
        | {
            "extra.shoe_size": "38.5",
            "extra.newsletter_paper": "true",
            "extra.tier": "",  # blank: the value is removed
            "extra.birthday": "1990-05-17",
        },
    )
    assert saved.status_code == 303, saved.text
    extra = (await api.get(f"/v1/customers/{anna['id']}")).json()["extra"]
    assert extra == {"shoe_size": 38.5, "newsletter_paper": True, "birthday": "1990-05-17"}

    # The form was read at the old version: the change made since is explained, not lost.
    stale = await browser.post(f"{url}/custom-fields", data=form | {"extra.shoe_size": "40"})
    assert stale.status_code == 409
    assert "Someone changed this customer meanwhile" in stale.text
    assert 'value="38.5"' in stale.text, "the form shows their version"

    # Marketing writes no custom field: refused by name, as through the API.
    browser.cookies.clear()
    await sign_in(browser, await key_with_roles(api, "marketing"))
    edit = (await browser.get(f"{url}/edit")).text
    assert "extra.shoe_size" not in edit
    refused = await browser.post(
        f"{url}/custom-fields", data={"csrf_token": csrf_of(edit), "extra.shoe_size": "41"}
    )
    assert refused.status_code == 403
    assert "extra.shoe_size" in refused.text


async def test_notes_pinned_edited_and_removed(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    anna = await new_customer(api, first_name="Anna")
    notes_api = f"/v1/customers/{anna['id']}/notes"
    note = (await api.post(notes_api, json={"text": "Calls mornings"})).json()
    url = f"/console/customers/{anna['id']}"
    await sign_in(browser, BOOTSTRAP_KEY)
    csrf = csrf_of((await browser.get(url)).text)
    note_url = f"{url}/notes/{note['id']}"

    assert (
        await browser.post(note_url, data={"csrf_token": csrf, "pinned": "true"})
    ).status_code == 303
    page = (await browser.get(url)).text
    assert re.search(r'<li class="pinned" data-note="[^"]+"><span class="badge">pinned', page)
    assert ">Unpin</button>" in page
    edited = await browser.post(note_url, data={"csrf_token": csrf, "text": "Calls evenings"})
    assert edited.status_code == 303
    [shown] = (await api.get(notes_api)).json()["items"]
    assert (shown["text"], shown["pinned"]) == ("Calls evenings", True)
    blank = await browser.post(note_url, data={"csrf_token": csrf, "text": "  "})
    assert blank.status_code == 422

    assert (await browser.post(f"{note_url}/remove", data={"csrf_token": csrf})).status_code == 303
    assert (await api.get(notes_api)).json()["items"] == []
    assert f'data-note="{note["id"]}"' not in (await browser.get(url)).text


async def test_tasks_with_reminders_recurrence_and_notifications(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    await sign_in(browser, BOOTSTRAP_KEY)
    csrf = csrf_of((await browser.get("/console/tasks")).text)
    no_deadline = await browser.post(
        "/console/tasks", data={"csrf_token": csrf, "title": "Call", "reminder": "P1D"}
    )
    assert no_deadline.status_code == 422
    assert "needs a due_at" in error_beside(no_deadline.text, "task-reminders")
    assert 'value="Call"' in no_deadline.text

    made = await browser.post(
        "/console/tasks",
        data={
            "csrf_token": csrf,
            "title": "Monthly check",
            "due_at": "2030-01-02T10:00",
            "reminder": ["PT1H", "P1D"],
            "remind_at": "2029-12-24T09:00",
            "every": "1",
            "repeat": "months",
        },
    )
    assert made.status_code == 303, made.text
    [task] = (await api.get("/v1/tasks", params={"assignee": "me"})).json()["items"]
    assert [r["spec"] for r in task["reminders"]] == ["PT1H", "P1D", "2029-12-24T09:00:00+00:00"]
    assert task["recurrence"] == {"every": 1, "unit": "months"}

    # A reminder due in seconds reaches my notifications; read in the console.
    soon = datetime.now(UTC) + timedelta(seconds=3)
    for title in ("Ring first", "Ring second"):
        ringing = {
            "title": title,
            "due_at": (soon + timedelta(days=1)).isoformat(),
            "reminders": [soon.isoformat()],
        }
        assert (await api.post("/v1/tasks", json=ringing)).status_code == 201

    async def both() -> bool:
        return len((await api.get("/v1/notifications")).json()["items"]) == 2

    await eventually(both, timeout=30, what="two notifications")
    listed = await browser.get("/console/tasks/notifications")
    assert "2 unread" in listed.text
    ids = re.findall(r'name="id" value="([^"]+)"', listed.text)
    assert len(ids) == 2
    one = await browser.post(
        "/console/tasks/notifications/read", data={"csrf_token": csrf, "id": ids[0]}
    )
    assert one.status_code == 303
    assert (await api.get("/v1/notifications", params={"unread_only": "true"})).json()[
        "unread"
    ] == 1
    assert "1 unread" in (await browser.get("/console/tasks")).text
    every = await browser.post(
        "/console/tasks/notifications/read",
        data={"csrf_token": csrf, "all": "1", "back": "/console/tasks"},
    )
    assert (every.status_code, every.headers["location"]) == (303, "/console/tasks")
    assert (await api.get("/v1/notifications")).json()["unread"] == 0
    assert "0 unread" in (await browser.get("/console/tasks/notifications")).text


async def test_consent_purposes(console_suite: Suite, browser: httpx.AsyncClient) -> None:
    api = console_suite.gateway
    await sign_in(browser, await key_with_roles(api, "marketing"))
    page = await browser.get("/console/consent")
    assert page.status_code == 200
    assert 'data-purpose="email"' in page.text
    csrf = csrf_of(page.text)

    bad = await browser.post(
        "/console/consent/purposes", data={"csrf_token": csrf, "key": "Bad Key", "title": "x"}
    )
    assert bad.status_code == 422
    error_beside(bad.text, "purpose-new-key")
    added = await browser.post(
        "/console/consent/purposes",
        data={"csrf_token": csrf, "key": "survey", "title": "Surveys by post"},
    )
    assert added.status_code == 303, added.text
    retired = await browser.post(
        "/console/consent/purposes/survey", data={"csrf_token": csrf, "active": "false"}
    )
    assert retired.status_code == 303
    renamed = await browser.post(
        "/console/consent/purposes/survey", data={"csrf_token": csrf, "title": "Paper surveys"}
    )
    assert renamed.status_code == 303
    purposes = {p["key"]: p for p in (await api.get("/v1/consents/purposes")).json()["items"]}
    assert (purposes["survey"]["title"], purposes["survey"]["active"]) == ("Paper surveys", False)
    assert "Bring back" in (await browser.get("/console/consent")).text

    # An analyst reads no consent.
    browser.cookies.clear()
    await sign_in(browser, await key_with_roles(api, "analyst"))
    assert (await browser.get("/console/consent")).status_code == 403


async def test_every_new_form_needs_the_session_csrf_token(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    anna = await new_customer(api, first_name="Anna")
    note = (await api.post(f"/v1/customers/{anna['id']}/notes", json={"text": "x"})).json()
    await sign_in(browser, BOOTSTRAP_KEY)
    url = f"/console/customers/{anna['id']}"
    forms = {
        f"{url}/bank-accounts/new": {"iban": IBAN},
        f"{url}/custom-fields": {},
        f"{url}/notes/{note['id']}": {"pinned": "true"},
        f"{url}/notes/{note['id']}/remove": {},
        "/console/tasks/notifications/read": {"all": "1"},
        "/console/consent/purposes": {"key": "survey", "title": "Surveys"},
        "/console/consent/purposes/email": {"active": "false"},
    }
    for action, fields in forms.items():
        for token in ({}, {"csrf_token": "guess"}):
            refused = await browser.post(action, data=fields | token)
            assert refused.status_code == 403, action
            assert "the form is not from this session" in refused.text
    assert (await api.get(f"/v1/customers/{anna['id']}/bank-accounts")).json() == []
    assert (await api.get(f"/v1/customers/{anna['id']}/notes")).json()["items"][0][
        "pinned"
    ] is False


async def test_a_task_changed_with_its_reminders_and_a_stale_form_explained(
    console_suite: Suite, browser: httpx.AsyncClient
) -> None:
    api = console_suite.gateway
    made = await api.post(
        "/v1/tasks",
        json={
            "title": "Renew the contract",
            "due_at": "2030-05-01T12:00:00Z",
            "reminders": ["P1D", "2030-04-01T08:00:00Z"],
        },
    )
    assert made.status_code == 201, made.text
    task = made.json()
    await sign_in(browser, BOOTSTRAP_KEY)
    assert f'href="/console/tasks/{task["id"]}"' in (await browser.get("/console/tasks")).text
    page = await browser.get(f"/console/tasks/{task['id']}")
    assert page.status_code == 200
    assert 'value="2030-05-01T12:00"' in page.text
    assert 'value="P1D" checked' in page.text
    assert 'value="2030-04-01T08:00:00Z" checked' in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "version": str(task["version"]),
        "title": "Renew the contract",
        "due_at": "2030-05-01T12:00",
        "priority": "high",
        "reminder": ["PT1H", "2030-04-01T08:00:00Z"],
        "every": "1",
        "repeat": "",
    }

    refused = await browser.post(f"/console/tasks/{task['id']}", data=form | {"title": ""})
    assert refused.status_code == 422
    assert error_beside(refused.text, "task-title") == "cannot be null"
    assert 'value="PT1H" checked' in refused.text, "what was ticked stays ticked"

    saved = await browser.post(f"/console/tasks/{task['id']}", data=form)
    assert saved.status_code == 303, saved.text
    now = (await api.get(f"/v1/tasks/{task['id']}")).json()
    assert [r["spec"] for r in now["reminders"]] == ["PT1H", "2030-04-01T08:00:00Z"]
    assert now["priority"] == "high"

    stale = await browser.post(f"/console/tasks/{task['id']}", data=form | {"title": "Later"})
    assert stale.status_code == 409
    assert "Someone changed this task meanwhile" in stale.text
    assert f'name="version" value="{now["version"]}"' in stale.text


async def test_an_address_removed(console_suite: Suite, browser: httpx.AsyncClient) -> None:
    api = console_suite.gateway
    anna = await new_customer(
        api,
        first_name="Anna",
        addresses=[{"line1": "Hauptstraße 5", "city": "Berlin", "country": "DE"}],
    )
    address_id = anna["addresses"][0]["id"]
    url = f"/console/customers/{anna['id']}"
    await sign_in(browser, BOOTSTRAP_KEY)
    edit = (await browser.get(f"{url}/edit")).text
    assert 'aria-label="Remove address Hauptstraße 5"' in edit
    removed = await browser.post(
        f"{url}/addresses/{address_id}/remove", data={"csrf_token": csrf_of(edit)}
    )
    assert removed.status_code == 303
    assert (await api.get(f"/v1/customers/{anna['id']}/addresses")).json() == []
    assert (
        await browser.post(f"{url}/addresses/{address_id}/remove", data={"csrf_token": "guess"})
    ).status_code == 403
