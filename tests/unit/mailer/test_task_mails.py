"""Task reminder and overdue mails: to the assignee when their principal is an address, once
per alarm, in the mailer's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.mailer.adapters.templates import JinjaTemplates
from services.mailer.domain.recipients import address_of
from services.mailer.use_cases.sending import SendOnce
from services.mailer.use_cases.task_alarms import TaskAlarmMails
from shared.contracts.envelope import SYSTEM_ACTOR
from shared.contracts.tasks import TaskOverdue, TaskReminderDue
from tests.unit.mailer.test_mails import Recorded

DUE = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("principal", "address"),
    [
        ("anna@example.com", "anna@example.com"),
        ("Anna@EXAMPLE.com", "Anna@example.com"),
        ("key-3f9a", None),
        ("auth0|5f7c8ec7c33c6c004bbafe82", None),
        ("not an@address", None),
        ("@example.com", None),
    ],
)
def test_only_a_principal_that_is_an_address_is_mailed(principal: str, address: str | None) -> None:
    assert address_of(principal) == address


def reminder(assignee: str, title: str | None = "Call back") -> TaskReminderDue:
    return TaskReminderDue(
        task_id="t1",
        reminder_id="r1",
        assignee=assignee,
        title=title,
        remind_at=DUE,
        due_at=DUE,
        actor=SYSTEM_ACTOR,
    )


def mails(recorded: Recorded, language: str = "en") -> TaskAlarmMails:
    return TaskAlarmMails(SendOnce(recorded, recorded), JinjaTemplates(), language=language)


async def test_a_reminder_goes_once_to_an_address_and_never_to_a_key() -> None:
    recorded = Recorded()
    cases = mails(recorded)
    event = reminder("anna@example.com")
    assert await cases.reminder(event)
    assert not await cases.reminder(event)
    assert not await cases.reminder(reminder("key-3f9a"))
    [mail] = recorded.mails
    assert (mail.to, mail.subject, mail.event_id) == (
        "anna@example.com",
        "Reminder: Call back",
        event.message_id,
    )
    assert "It is due on 02 Dec 2026, 09:30 UTC." in mail.text


async def test_an_overdue_alert_in_german_and_an_erased_title_stays_out() -> None:
    recorded = Recorded()
    overdue = TaskOverdue(
        task_id="t2", alert_id="a1", assignee="anna@example.com", due_at=DUE, actor=SYSTEM_ACTOR
    )
    assert await mails(recorded, "de").overdue(overdue)
    [mail] = recorded.mails
    assert mail.subject == "Überfällig: eine Ihrer Aufgaben"
    assert "war am 02.12.2026, 09:30 UTC fällig" in mail.text
    assert "(Text entfernt)" in mail.html


async def test_a_language_without_templates_falls_back_to_english() -> None:
    recorded = Recorded()
    assert await mails(recorded, "fr").reminder(reminder("anna@example.com", title="<b>x</b>"))
    [mail] = recorded.mails
    assert mail.language == "en"
    assert "&lt;b&gt;x&lt;/b&gt;" in mail.html
