"""More of the console's screens in a real browser (Debian's Chromium through Playwright)
against the suite: a custom field defined on the admin screen and filled in on a customer's edit
form; a consent decision recorded with its evidence for an active purpose the customer has not
decided on, and a double opt-in started; a task reminder that rang shown as a notification and
marked read. Screenshots go to $CONSOLE_SCREENSHOTS (a temporary directory otherwise)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from pymongo import AsyncMongoClient

from shared.mongo import Document
from tests.conftest import Suite
from tests.integration.console.browser import CHROMIUM
from tests.integration.console.support import new_customer
from tests.support.waiting import eventually

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (CI installs it)"
)


async def test_a_custom_field_defined_then_filled_in_on_a_customer(
    console_suite: Suite, admin_page: tuple[Page, str], shots: Path
) -> None:
    browser, console = admin_page
    await browser.goto(f"{console}/console/admin/fields")
    define = browser.get_by_role("form", name="New field")
    await define.get_by_label("Key", exact=True).fill("loyalty_tier")
    await define.get_by_label("Label", exact=True).fill("Loyalty tier")
    await define.get_by_label("Type", exact=True).select_option("enum")
    await define.get_by_label("Values (type enum; one per line or comma separated)").fill(
        "gold, silver"
    )
    await define.get_by_role("button", name="Define field").click()
    await browser.wait_for_url(re.compile(r"/console/admin/fields$"))
    row = browser.locator('[data-field="loyalty_tier"]')
    await expect(row).to_contain_text("Loyalty tier")
    await expect(row).to_contain_text("enum: gold, silver")
    await browser.screenshot(path=shots / "admin-custom-fields.png", full_page=True)

    lena = await new_customer(console_suite.gateway, first_name="Lena", last_name="Marek")
    await browser.goto(f"{console}/console/customers/{lena['id']}")
    await browser.get_by_role("link", name="Edit custom fields").click()
    fields = browser.get_by_role("form", name="Custom fields")
    tier = fields.get_by_label("Loyalty tier")
    await tier.focus()
    await tier.select_option("silver")
    await fields.get_by_role("button", name="Save custom fields").click()
    await browser.wait_for_url(re.compile(rf"/console/customers/{lena['id']}#fields-h"))
    shown = browser.locator("section[aria-labelledby=fields-h] dl")
    await expect(shown).to_contain_text("Loyalty tier")
    await expect(shown).to_contain_text("silver")
    stored = await console_suite.gateway.get(f"/v1/customers/{lena['id']}")
    assert stored.json()["extra"] == {"loyalty_tier": "silver"}


async def test_a_decision_for_an_undecided_active_purpose_and_a_double_opt_in(
    console_suite: Suite,
    admin_page: tuple[Page, str],
    shots: Path,
    mongo: AsyncMongoClient[Document],
) -> None:
    api = console_suite.gateway
    for key, title in (
        ("phone_survey", "Phone survey"),
        ("postcards", "Postcards"),
        ("raffle", "Raffle"),
    ):
        made = await api.post("/v1/consents/purposes", json={"key": key, "title": title})
        assert made.status_code == 201, made.text
    ida = await new_customer(
        api,
        first_name="Ida",
        last_name="Brandt",
        emails=[{"address": "ida@example.com", "primary": True}],
    )
    # Ida decided on a purpose since retired: the forms offer the active ones, not hers.
    decided = await api.post(
        f"/v1/customers/{ida['id']}/consents",
        json={
            "purpose": "raffle",
            "state": "single_opt_in",
            "evidence": {"source": "supporter", "text": "Yes to the raffle"},
        },
    )
    assert decided.status_code == 201, decided.text
    gone = await api.patch("/v1/consents/purposes/raffle", json={"active": False})
    assert gone.is_success, gone.text
    listed = (await api.get("/v1/consents/purposes")).json()["items"]
    active = {p["key"]: p["title"] for p in listed if p["active"]}
    assert "raffle" not in active

    browser, console = admin_page
    await browser.goto(f"{console}/console/customers/{ida['id']}")
    consent = browser.locator("#consent")
    await consent.get_by_text("Record a decision or start a double opt-in").click()
    record = browser.get_by_role("form", name="Record a consent decision")
    purpose = record.get_by_label("Purpose")
    options = purpose.locator("option")
    offered = await options.evaluate_all("os => os.map(o => [o.value, o.textContent])")
    assert dict(offered) == active
    assert len(offered) == len(active)
    await purpose.select_option(label="Phone survey")
    await record.get_by_label("Decision").select_option("single_opt_in")
    await record.get_by_label("Evidence: what the person said").fill("Yes to a survey call")
    await record.get_by_role("button", name="Record decision").click()
    await browser.wait_for_url(re.compile(rf"/console/customers/{ida['id']}#consent"))
    row = browser.locator("#consent tbody tr", has_text="phone_survey")
    await expect(row).to_contain_text("single_opt_in")
    await expect(row).to_contain_text("Yes to a survey call")
    await browser.screenshot(path=shots / "customer-360-consent-recorded.png", full_page=True)

    await (
        browser.locator("#consent")
        .get_by_text("Record a decision or start a double opt-in")
        .click()
    )
    opt_in = browser.get_by_role("form", name="Start a double opt-in")
    await opt_in.get_by_label("Purpose").select_option("postcards")
    await opt_in.get_by_label("Version of the consent text the person confirms").fill("nl-2")
    await opt_in.get_by_role("button", name="Send confirmation mail").click()
    await browser.wait_for_url(re.compile(rf"/console/customers/{ida['id']}#consent"))
    requests = console_suite.db(mongo, "consent")["double_opt_in"]
    [pending] = await requests.find({"customer_id": ida["id"]}).to_list()
    assert (pending["purpose"], pending["text_version"]) == ("postcards", "nl-2")


async def test_a_reminder_that_rang_is_a_notification_marked_read(
    console_suite: Suite, admin_page: tuple[Page, str], shots: Path
) -> None:
    api = console_suite.gateway
    soon = datetime.now(UTC) + timedelta(seconds=2)
    ringing = {
        "title": "Call back Mr Hale",
        "due_at": (soon + timedelta(days=1)).isoformat(),
        "reminders": [soon.isoformat()],
    }
    assert (await api.post("/v1/tasks", json=ringing)).status_code == 201

    async def rang() -> bool:
        return bool((await api.get("/v1/notifications")).json()["items"])

    await eventually(rang, timeout=30, what="the reminder's notification")
    browser, console = admin_page
    await browser.goto(f"{console}/console/tasks/notifications")
    await expect(browser.get_by_role("heading", level=1)).to_contain_text("1 unread")
    row = browser.locator("tr.unread", has_text="Call back Mr Hale")
    await expect(row).to_contain_text("reminder")
    await browser.screenshot(path=shots / "notifications.png", full_page=True)
    # From the keyboard: the button is reached and pressed without a mouse.
    await row.get_by_role("button", name=re.compile(r"^Mark read: reminder")).focus()
    await browser.keyboard.press("Enter")
    await browser.wait_for_url(re.compile(r"/console/tasks/notifications$"))
    await expect(browser.get_by_role("heading", level=1)).to_contain_text("0 unread")
    await expect(browser.locator("tr.unread")).to_have_count(0)
    assert (await api.get("/v1/notifications")).json()["unread"] == 0
