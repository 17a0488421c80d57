"""The console's edit use cases with in-memory services: a form's text typed by the custom
field's definition (only what changed is sent), a bank account replaced only once the new one
is in, and every unread notification marked read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.gateway.use_cases.console_edits import (
    Edits,
    EditScreen,
    custom_field_changes,
    typed_value,
)
from services.gateway.use_cases.ports import Refused
from shared.contracts import custom_fields as cf
from shared.contracts import customer_details as d
from shared.contracts import customers as c
from shared.contracts import tasks as t
from shared.errors import InvalidInput
from tests.unit.gateway.fakes import FakeServices, problem
from tests.unit.gateway.test_console import ANNA, _caller

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def field(key: str, kind: cf.FieldType, **spec: Any) -> cf.CustomFieldView:
    return cf.CustomFieldView(
        key=key,
        field_type=kind,
        label=key,
        version=1,
        created_at=NOW,
        updated_at=NOW,
        **spec,
    )


SIZE = field("shoe_size", cf.FieldType.NUMBER)
PAPER = field("paper", cf.FieldType.BOOLEAN)
TIER = field("tier", cf.FieldType.ENUM, enum_values=("gold", "silver"))


def test_a_form_value_typed_by_its_field() -> None:
    assert typed_value(SIZE, "38") == 38
    assert typed_value(SIZE, "38.5") == 38.5
    assert typed_value(PAPER, "false") is False
    assert typed_value(TIER, "bronze") == "bronze", "the service judges enum values"
    assert typed_value(SIZE, None) is None
    for kind, text in ((SIZE, "many"), (SIZE, "inf"), (PAPER, "yes")):
        with pytest.raises(ValueError, match="must be"):
            typed_value(kind, text)


def test_only_changed_values_are_sent_and_bad_ones_named() -> None:
    current = {"shoe_size": 38, "tier": "gold"}
    given = {"shoe_size": "38.0", "tier": None, "paper": "true"}
    assert custom_field_changes((SIZE, PAPER, TIER), given, current) == {
        "tier": None,
        "paper": True,
    }
    with pytest.raises(InvalidInput) as refused:
        custom_field_changes((SIZE, PAPER), {"shoe_size": "x", "paper": "maybe"}, {})
    assert [e.field for e in refused.value.errors] == ["extra.shoe_size", "extra.paper"]


ADDED = d.BankAccountView(id="b2", iban_masked="GB82 **** 5432", country_code="GB", added_at=NOW)


async def test_a_bank_account_is_replaced_only_once_the_new_one_is_in() -> None:
    services = FakeServices(
        {
            ("customer", d.AddBankAccount): lambda q: ADDED,
            ("customer", d.RemoveBankAccount): lambda q: None,
        }
    )
    account = d.BankAccountInput(iban="GB82WEST12345698765432")
    edits = Edits(services)
    assert await edits.save_bank_account(_caller("supporter"), "c1", "b1", account, "k") == ADDED
    [add, remove] = [m for _, m in services.asked]
    assert isinstance(add, d.AddBankAccount)
    assert isinstance(remove, d.RemoveBankAccount)
    assert remove.account_id == "b1"
    assert add.message_id != remove.message_id, "one form, two commands: each applied once"

    services.asked.clear()
    services.answers[("customer", d.AddBankAccount)] = lambda q: problem(422, "Invalid input")
    with pytest.raises(Refused):
        await edits.save_bank_account(_caller("supporter"), "c1", "b1", account, "k2")
    assert services.sent(d.RemoveBankAccount) == [], "a refused IBAN keeps the old account"


async def test_every_unread_notification_marked_read() -> None:
    unread = t.NotificationPage(
        items=tuple(
            t.NotificationView(id=f"n{i}", kind=t.NotificationKind.REMINDER, task_id="t", at=NOW)
            for i in range(3)
        ),
        unread=3,
    )
    services = FakeServices(
        {
            ("tasks", t.ListNotifications): lambda q: unread,
            ("tasks", t.MarkNotificationsRead): lambda q: t.NotificationsMarked(
                marked=len(q.notification_ids)
            ),
        }
    )
    edits = Edits(services)
    assert await edits.mark_read(_caller("supporter"), None) == 3
    [listed] = services.sent(t.ListNotifications)
    assert listed.unread_only
    [mark] = services.sent(t.MarkNotificationsRead)
    assert mark.notification_ids == ("n0", "n1", "n2")
    assert await edits.mark_read(_caller("supporter"), ["n1"]) == 1


class Writes:
    """The API's field-by-field check, noting what it was asked about."""

    def __init__(self) -> None:
        self.asked: list[set[str]] = []

    async def require_customer_writes(self, fields: Any, extra: Any) -> None:
        self.asked.append(set(extra))


async def test_custom_fields_sent_typed_at_the_form_version_and_none_written_blind() -> None:
    services = FakeServices({("customer", c.UpdateCustomer): lambda q: ANNA})
    edits, writes = Edits(services), Writes()
    screen = EditScreen(customer=ANNA, fields=cf.CustomFieldList(items=(SIZE, PAPER)))
    saved = await edits.save_custom_fields(
        _caller("admin"),
        writes,
        screen,
        {"shoe_size": "38", "paper": None},
        expected_version=3,
        idempotency_key="k",
    )
    assert saved
    [update] = services.sent(c.UpdateCustomer)
    assert (update.set.extra, update.expected_version) == ({"shoe_size": 38}, 3)
    assert writes.asked == [{"shoe_size", "paper"}]

    for caller, given in ((_caller("analyst"), {"shoe_size": "1"}), (_caller("admin"), {"x": "1"})):
        with pytest.raises(InvalidInput, match="not a field you read"):
            await edits.save_custom_fields(
                caller, writes, screen, given, expected_version=3, idempotency_key=None
            )
    assert len(services.sent(c.UpdateCustomer)) == 1
