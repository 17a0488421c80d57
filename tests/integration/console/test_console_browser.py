"""The console in a real browser against the suite running as processes (customer, consent,
tasks, ingest and the gateway, each started as `make run` starts it, on RabbitMQ and the
database): sign in, find a customer by a partial name, open the 360 view with its timeline, edit
an address (a refused value, then a valid one), create a task there, complete it, merge two
duplicates on the merge screen, sign out; a supporter sees bank accounts masked, an analyst sees
no names; every main page is one round trip and fits a tablet. Screenshots of the main screens
go to $CONSOLE_SCREENSHOTS (a temporary directory otherwise)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, FilePayload, expect

from tests.integration.console.browser import (
    CHROMIUM,
    SuiteProcesses,
    horizontal_overflow,
    load_in_one_round_trip,
    signed_in,
)
from tests.integration.console.support import IBAN, key_with_roles, new_customer
from tests.support.access import BOOTSTRAP_KEY
from tests.support.waiting import eventually

# e2e: the suite runs as processes. Without Chromium, skipped before they are started.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (CI installs it)",
    ),
]


async def make_customers(api: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    anna = await new_customer(
        api,
        first_name="Annegret",
        last_name="Vogel",
        emails=[{"address": "annegret@example.com", "primary": True}],
        addresses=[{"line1": "Hauptstraße 5", "city": "Berlin", "country": "DE"}],
    )
    url = f"/v1/customers/{anna['id']}"
    added = await api.post(f"{url}/bank-accounts", json={"iban": IBAN, "holder": "Konto Inhaberin"})
    assert added.status_code == 201, added.text
    assert (
        await api.post(f"{url}/notes", json={"text": "Calls mornings", "pinned": True})
    ).is_success
    # One person twice: same phone, a typo in the name.
    petra = await new_customer(
        api, first_name="Petra", last_name="Schäfer", phones=["+49 171 2223333"]
    )
    await new_customer(
        api, first_name="Petra", last_name="Schafer", phones=["0171 2223333"], language="de"
    )
    return anna, petra


async def test_a_supporter_day_in_the_console(
    suite_processes: SuiteProcesses, chromium: Browser, shots: Path
) -> None:
    api, console_url = suite_processes.api, suite_processes.url
    anna, _ = await make_customers(api)
    page = await signed_in(chromium, console_url, BOOTSTRAP_KEY)

    # Find by a partial name, from the keyboard: "/" jumps to the search box.
    await page.keyboard.press("/")
    await page.keyboard.type("anneg")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"name=anneg"))
    await page.screenshot(path=shots / "customers.png", full_page=True)
    await page.get_by_role("link", name="Annegret Vogel").click()

    # The 360 view: profile, defaults, notes, orders, the timeline.
    await page.wait_for_url(re.compile(rf"/console/customers/{anna['id']}"))
    # The 360 view again, as one round trip to the gateway (its parts gathered there); timed.
    load = await load_in_one_round_trip(page, page.url)
    print(
        f"\ncustomer 360 in the browser: HTML {load.html_ms:.0f} ms, loaded {load.load_ms:.0f} ms"
        f" (suite started as processes in {suite_processes.started_in_s:.1f} s)"
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Annegret Vogel")
    await expect(page.locator("#addresses-h + address")).to_contain_text("default billing")
    await expect(page.locator("#notes .pinned")).to_contain_text("Calls mornings")
    await expect(page.locator(".timeline .kind-created")).to_have_count(1)
    await expect(page.locator(".timeline .kind-bank_account_added")).to_have_count(1)
    await page.screenshot(path=shots / "customer-360.png", full_page=True)

    # An address edited: a refused value is shown beside its field, then a valid one saved.
    await page.get_by_role("link", name="Edit profile and addresses").click()
    address = page.get_by_role("form", name="Address Hauptstraße 5")
    await address.get_by_label("Country").fill("Narnia")
    await address.get_by_label("Line1").fill("Torstraße 1")
    await address.get_by_role("button", name="Save address").click()
    address = page.get_by_role("form", name="Address Hauptstraße 5")
    await expect(address.locator(".error")).to_have_text("not an ISO 3166 country")
    await expect(address.get_by_label("Country")).to_have_attribute("aria-invalid", "true")
    await page.screenshot(path=shots / "edit-address-refused.png", full_page=True)
    await address.get_by_label("Country").fill("DE")
    await address.get_by_role("button", name="Save address").click()
    await page.wait_for_url(re.compile(rf"/console/customers/{anna['id']}#"))
    await expect(page.locator("#addresses-h + address")).to_contain_text("Torstraße 1")

    # The timeline filtered by kind, without JavaScript's help (a plain GET form).
    await page.get_by_label("note added").check()
    await page.get_by_role("button", name="Filter").click()
    await expect(page.locator(".timeline .kind-note_added")).to_have_count(1)
    await expect(page.locator(".timeline .kind-created")).to_have_count(0)
    await page.goto(f"{console_url}/console/customers/{anna['id']}")

    # A task about the customer, created on the 360 view, completed in "My tasks".
    await page.get_by_text("New task about this customer").click()
    await page.get_by_label("Title").fill("Call back about the invoice")
    await page.get_by_role("button", name="Create task").click()
    await expect(page.locator("#tasks")).to_contain_text("Call back about the invoice")
    await page.get_by_role("link", name="My tasks").click()
    row = page.locator("tr[data-task='Call back about the invoice']")
    await row.get_by_label("New status of Call back about the invoice").select_option("completed")
    await page.screenshot(path=shots / "tasks.png", full_page=True)
    await row.get_by_role("button", name="Change").click()
    await expect(row).to_have_count(0)
    await page.get_by_label("completed").check()
    await page.get_by_role("button", name="Show").click()
    await expect(row).to_have_count(1)

    # Two records of one person merged on the merge screen, the master chosen.
    async def proposed() -> list[object]:
        items: list[object] = (await api.get("/v1/duplicates")).json()["items"]
        return items

    await eventually(proposed, what="a duplicate candidate")
    await page.get_by_role("link", name="Duplicates").click()
    await page.get_by_role("link", name="Compare and merge").first.click()
    await expect(page.get_by_role("heading", name="Carried over to the master")).to_be_visible()
    await page.screenshot(path=shots / "merge.png", full_page=True)
    await page.get_by_role("button", name=re.compile("Merge into No")).click()
    await expect(page.locator(".timeline .kind-merged")).to_have_count(1)
    assert (await api.get("/v1/duplicates")).json()["items"] == []

    # Sign out: the session is over, the pages send to sign-in again.
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(re.compile(r"/console/sign-in"))
    await page.goto(f"{console_url}/console/customers/{anna['id']}")
    assert "/console/sign-in" in page.url


async def test_roles_in_the_browser(
    suite_processes: SuiteProcesses, chromium: Browser, shots: Path
) -> None:
    api, console_url = suite_processes.api, suite_processes.url
    anna, _ = await make_customers(api)

    supporter = await signed_in(chromium, console_url, await key_with_roles(api, "supporter"))
    await supporter.goto(f"{console_url}/console/customers/{anna['id']}")
    bank = supporter.locator("[data-bank-accounts]")
    await expect(bank).to_contain_text("**30 00")  # the IBAN's end only
    assert IBAN not in await supporter.content()
    assert "Konto Inhaberin" not in await bank.inner_text()
    await supporter.screenshot(path=shots / "customer-360-supporter.png", full_page=True)

    analyst = await signed_in(chromium, console_url, await key_with_roles(api, "analyst"))
    await analyst.goto(f"{console_url}/console/customers/{anna['id']}")
    await expect(analyst.get_by_role("heading", level=1)).to_have_text(re.compile(r"Customer \d+"))
    html = await analyst.content()
    assert "Annegret" not in html
    assert "Vogel" not in html
    assert "annegret@example.com" not in html


CUSTOMERS_CSV = (
    b"external_id,updated_at,first_name,last_name,emails\r\n"
    b"T-1,2026-01-05T09:30:00+01:00,Tabea,Tablet,tabea@example.com\r\n"
    b"T-2,yesterday,Zoe,Zeit,zoe@example.com\r\n"
)


async def test_every_main_page_is_one_round_trip_and_fits_a_tablet(
    suite_processes: SuiteProcesses, chromium: Browser, shots: Path
) -> None:
    api, url = suite_processes.api, suite_processes.url
    anna, _ = await make_customers(api)

    async def candidate() -> str | None:
        items = (await api.get("/v1/duplicates")).json()["items"]
        return str(items[0]["id"]) if items else None

    candidate_id = await eventually(candidate, what="a duplicate candidate")
    tablet = await signed_in(chromium, url, BOOTSTRAP_KEY, width=768, height=1024)
    pages = {
        "customers": "/console/customers?name=anneg",
        "customer-360": f"/console/customers/{anna['id']}",
        "edit": f"/console/customers/{anna['id']}/edit",
        "tasks": "/console/tasks",
        "task-board": "/console/tasks?board=true",
        "duplicates": "/console/duplicates",
        "merge": f"/console/duplicates/{candidate_id}",
        "reports": "/console/reports",
        "admin-access": "/console/admin",
        "admin-fields": "/console/admin/fields",
        "admin-imports": "/console/admin/imports",
        "admin-dead-letters": "/console/admin/dead-letters",
    }
    wide: dict[str, int] = {}
    for name, path in pages.items():
        load = await load_in_one_round_trip(tablet, f"{url}{path}")
        if name == "customer-360":
            print(
                f"\ncustomer 360 on a tablet: HTML {load.html_ms:.0f} ms,"
                f" loaded {load.load_ms:.0f} ms"
            )
        if overflow := await horizontal_overflow(tablet):
            wide[name] = overflow
        await tablet.screenshot(path=shots / f"tablet-{name}.png", full_page=True)
    assert wide == {}, f"pages wider than a 768 px tablet (px too wide): {wide}"

    # The navigation: every link on screen, reachable from the keyboard, and working.
    nav = tablet.get_by_role("navigation", name="Console")
    links = nav.get_by_role("link")
    for i in range(await links.count()):
        box = await links.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 768
    await tablet.goto(f"{url}/console/customers")
    await tablet.keyboard.press("Tab")  # the skip link first
    for _ in range(20):
        await tablet.keyboard.press("Tab")
        focused = await tablet.evaluate("() => document.activeElement.textContent.trim()")
        if focused == "My tasks":
            break
    else:
        raise AssertionError("the navigation's My tasks cannot be reached with Tab")
    await tablet.keyboard.press("Enter")
    await tablet.wait_for_url(re.compile(r"/console/tasks$"))

    # An import started from the tablet: the browser's own multipart upload, streamed on.
    await tablet.get_by_role("link", name="Admin").click()
    await tablet.get_by_role("navigation", name="Admin").get_by_role("link", name="Imports").click()
    form = tablet.get_by_role("form", name="Import a file")
    await form.get_by_label("Rows are").select_option("customers")
    await form.get_by_label("Source system").fill("old-crm")
    await form.get_by_label("Format").select_option("csv")
    await form.get_by_label("File").set_input_files(
        files=FilePayload(name="customers.csv", mimeType="text/csv", buffer=CUSTOMERS_CSV)
    )
    await form.get_by_role("button", name="Import").click()
    await tablet.wait_for_url(re.compile(r"/console/admin/imports/[0-9a-f]{32}$"))
    await expect(tablet.locator("[data-import-status]")).to_have_text("completed")
    await expect(tablet.locator("[data-rows-accepted]")).to_have_text("1")
    await expect(tablet.locator("[data-failed-line='3']")).to_contain_text("updated_at")
    assert await horizontal_overflow(tablet) == 0
    await tablet.screenshot(path=shots / "tablet-admin-import.png", full_page=True)
