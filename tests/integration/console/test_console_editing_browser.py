"""The console's edit screens in a real browser (Debian's Chromium through Playwright) against
the suite: a bank account replaced (a refused IBAN shown beside its field, then a valid one), a
note pinned from the keyboard, a task added with a reminder and a recurrence. Screenshots go to
$CONSOLE_SCREENSHOTS (a temporary directory otherwise)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.conftest import Suite
from tests.integration.console.browser import CHROMIUM
from tests.integration.console.support import IBAN, new_customer

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (CI installs it)"
)


async def test_a_bank_account_replaced_and_a_note_pinned(
    console_suite: Suite, admin_page: tuple[Page, str], shots: Path
) -> None:
    api = console_suite.gateway
    anna = await new_customer(api, first_name="Annegret", last_name="Vogel")
    url = f"/v1/customers/{anna['id']}"
    assert (await api.post(f"{url}/bank-accounts", json={"iban": IBAN})).status_code == 201
    assert (await api.post(f"{url}/notes", json={"text": "Calls mornings"})).is_success
    browser, console = admin_page
    await browser.goto(f"{console}/console/customers/{anna['id']}")

    # A note pinned from the keyboard: the pinned ones come first, marked.
    note = browser.locator("#notes li", has_text="Calls mornings")
    await note.get_by_role("button", name="Pin").focus()
    await browser.keyboard.press("Enter")
    await expect(browser.locator("#notes .pinned")).to_contain_text("Calls mornings")
    await expect(
        browser.locator("#notes .pinned").get_by_role("button", name="Unpin")
    ).to_be_visible()

    # The account replaced: a refused IBAN is shown beside its field, the account kept.
    await browser.get_by_role("link", name="Add, replace or remove bank accounts").click()
    await browser.get_by_text("Replace this account").click()
    replace = browser.get_by_role("form", name=re.compile(r"^Bank account DE89"))
    await replace.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 01")
    await replace.get_by_label("Holder (optional)").fill("Annegret Vogel")
    await replace.get_by_role("button", name="Replace bank account").click()
    replace = browser.get_by_role("form", name=re.compile(r"^Bank account DE89"))
    iban = replace.get_by_label("IBAN")
    await expect(iban).to_have_attribute("aria-invalid", "true")
    await expect(replace.locator(".error")).to_contain_text("checksum")
    await expect(replace.get_by_label("Holder (optional)")).to_have_value("Annegret Vogel")
    await browser.screenshot(path=shots / "edit-bank-refused.png", full_page=True)
    await iban.fill("GB82 WEST 1234 5698 7654 32")
    await replace.get_by_role("button", name="Replace bank account").click()
    await browser.wait_for_url(re.compile(rf"/console/customers/{anna['id']}#bank-h"))
    accounts = browser.locator("[data-bank-accounts]")
    await expect(accounts).to_contain_text("GB82")
    await expect(accounts).to_contain_text("Annegret Vogel")
    await expect(accounts).not_to_contain_text("DE89")
    await browser.screenshot(path=shots / "customer-360-bank-replaced.png", full_page=True)


async def test_a_task_with_a_reminder_and_a_recurrence(
    console_suite: Suite, admin_page: tuple[Page, str], shots: Path
) -> None:
    browser, console = admin_page
    await browser.goto(f"{console}/console/tasks")
    await browser.get_by_label("Title").fill("Check the standing order")
    await browser.get_by_label("Due (UTC)").fill("2030-03-01T09:30")
    await browser.get_by_label("1 day before").check()
    await browser.get_by_label("Unit").select_option("weeks")
    await browser.get_by_label("Every").fill("2")
    await browser.screenshot(path=shots / "task-with-reminder.png", full_page=True)
    await browser.get_by_role("button", name="Create task").click()
    await browser.wait_for_url(re.compile(r"/console/tasks$"))
    await expect(browser.locator("tr[data-task='Check the standing order']")).to_contain_text(
        "2030-03-01 09:30"
    )
    [task] = (await console_suite.gateway.get("/v1/tasks", params={"assignee": "me"})).json()[
        "items"
    ]
    assert [(r["spec"], r["at"][:16]) for r in task["reminders"]] == [("P1D", "2030-02-28T09:30")]
    assert task["recurrence"] == {"every": 2, "unit": "weeks"}
