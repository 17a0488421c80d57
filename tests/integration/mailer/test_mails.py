"""The mailer against a real SMTP server, the broker and the database: the double opt-in mail
in the person's language, sent once, retried when the server defers, parked when it refuses."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel
from pymongo import AsyncMongoClient

from services.consent.domain.tokens import seal
from shared.broker import publish
from shared.contracts.consent import ConfirmDoubleOptIn, DoubleOptInRequested, RequestDoubleOptIn
from shared.contracts.envelope import SYSTEM_ACTOR, Message
from shared.contracts.tasks import CreateTask, TaskDraft, TaskReminderDue
from shared.mongo import Document
from shared.redelivery import REASON_HEADER
from shared.rpc import RpcClient
from tests.conftest import TEST_ACTOR, Namespace, Suite, suite_of
from tests.integration.mailer.smtp import MailServer, mail_server, parts
from tests.support.broker import drain, tap
from tests.support.orders import upsert
from tests.support.waiting import eventually

MAILER_SECRET = b"dev-only-consent-mailer-secret"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Any:
    with mail_server() as server:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        monkeypatch.setenv("MAILER_SMTP_BACKOFF_S", "0.05")
        monkeypatch.setenv("MAILER_SENDER", "Demo Shop <no-reply@shop.example>")
        yield server


@pytest.fixture
async def broker(namespace: Namespace) -> AsyncIterator[RabbitBroker]:
    broker = RabbitBroker(
        namespace.infra.amqp_url,
        default_channel=Channel(publisher_confirms=True, on_return_raises=True),
    )
    rpc = RpcClient(broker, namespace.topology, timeout_s=20)
    broker.rpc = rpc  # type: ignore[attr-defined]
    await broker.start()
    yield broker
    await broker.stop()


@pytest.fixture
async def mailing(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch, smtp: MailServer
) -> AsyncIterator[Suite]:
    monkeypatch.setenv("MAILER_DATABASE", namespace.database("mailer"))
    async with suite_of(namespace, ("customer", "consent", "mailer")) as suite:
        yield suite
    client: AsyncMongoClient[Document] = AsyncMongoClient(namespace.infra.mongodb_url)
    await client.drop_database(namespace.database("mailer"))
    await client.close()


def requested(customer_id: str, email: str, **fields: Any) -> DoubleOptInRequested:
    """The event as the consent service publishes it."""
    return DoubleOptInRequested(
        customer_id=customer_id,
        purpose="email",
        email=email,
        expires_at=datetime.now(UTC) + timedelta(hours=48),
        sealed_confirm_url=seal(MAILER_SECRET, "http://127.0.0.1:8000/v1/consents/confirm?token=t"),
        actor=SYSTEM_ACTOR,
        **fields,
    )


async def send(broker: RabbitBroker, namespace: Namespace, message: Message) -> None:
    await publish(broker, namespace.topology, message)


async def customer_in_consent(mongo: AsyncMongoClient[Document], suite: Suite, email: str) -> str:
    """The id of the customer the order made, once the consent service knows them."""

    async def known() -> str | None:
        doc = await suite.db(mongo, "consent")["customers"].find_one({"primary_email": email})
        return doc["_id"] if doc else None

    found: str = await eventually(known, timeout=30, what=f"consent to know {email}")
    return found


async def test_the_double_opt_in_mail_reaches_the_person_in_their_language_with_a_working_link(
    mailing: Suite,
    broker: RabbitBroker,
    namespace: Namespace,
    smtp: MailServer,
    mongo: AsyncMongoClient[Document],
) -> None:
    await send(broker, namespace, upsert(email="lena.vogel@example.de", language="de"))
    await send(broker, namespace, upsert(email="sam.hill@example.co.uk", language="en-GB"))
    ids = {
        email: await customer_in_consent(mongo, mailing, email)
        for email in ("lena.vogel@example.de", "sam.hill@example.co.uk")
    }
    rpc: RpcClient = broker.rpc  # type: ignore[attr-defined]
    for customer_id in ids.values():
        reply = await rpc.request(
            "consent",
            RequestDoubleOptIn(
                customer_id=customer_id,
                purpose="email",
                text="Newsletter mit Angeboten, monatlich",
                actor=TEST_ACTOR,
            ),
        )
        assert reply.ok, reply.problem

    await eventually(lambda: len(smtp.received) == 2, timeout=30, what="two mails")
    [german] = smtp.to("lena.vogel@example.de")
    [english] = smtp.to("sam.hill@example.co.uk")
    assert german["Subject"] == "Bitte bestätigen Sie Ihre Einwilligung"
    assert german["Content-Language"] == "de"
    assert german["From"] == "Demo Shop <no-reply@shop.example>"
    assert english["Subject"] == "Please confirm your consent"
    text, html = parts(german)
    assert "Nachrichten per E-Mail" in text
    assert "Newsletter mit Angeboten, monatlich" in html
    link = re.search(r"http://\S+confirm\?token=\S+", text)
    assert link is not None
    assert f'href="{escape(link.group(0))}"' in html

    # The link is the one the consent service stored, in the mail's language: following it
    # confirms the consent (and the page it opens speaks German).
    query = parse_qs(urlsplit(link.group(0)).query)
    assert query["lang"] == ["de"]
    token = query["token"][0]
    confirmed = await rpc.request("consent", ConfirmDoubleOptIn(token=token, actor=TEST_ACTOR))
    assert confirmed.ok, confirmed.problem
    assert confirmed.result["state"] == "double_opt_in"


async def test_a_redelivered_event_sends_nothing_twice_and_a_deferral_is_retried(
    mailing: Suite, broker: RabbitBroker, namespace: Namespace, smtp: MailServer
) -> None:
    smtp.defer = 4  # more than one delivery's tries: the retry queue brings it back
    first = requested("c-unknown-1", "ida@example.org")
    for _ in range(3):
        await send(broker, namespace, first)
    await eventually(lambda: smtp.to("ida@example.org"), timeout=30, what="the deferred mail")
    assert smtp.deferred == 4

    # A later event passes the same queue: by the time its mail is out, a second copy of the
    # first would have been too.
    await send(broker, namespace, requested("c-unknown-2", "ole@example.org"))
    await eventually(lambda: smtp.to("ole@example.org"), timeout=30, what="the next mail")
    await asyncio.sleep(0.5)
    assert len(smtp.to("ida@example.org")) == 1
    # The customer service does not know these people: the default language (English).
    assert smtp.to("ida@example.org")[0]["Content-Language"] == "en"


async def test_a_refused_address_is_parked_with_the_servers_reason(
    mailing: Suite, broker: RabbitBroker, namespace: Namespace, smtp: MailServer
) -> None:
    smtp.unknown.add("nobody@example.org")
    refused = requested("c-unknown-3", "nobody@example.org")
    await send(broker, namespace, refused)

    async def parked() -> list[Any]:
        return await drain(namespace.infra.amqp_url, namespace.topology.mailer.dead_letter_name)

    [message] = await eventually(parked, timeout=30, what="the refused mail's event parked")
    assert message.message_id == refused.message_id
    reason = str(message.headers[REASON_HEADER])
    assert "550" in reason
    assert "User unknown" in reason
    assert smtp.received == []


@pytest.fixture
async def task_mailing(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch, smtp: MailServer
) -> AsyncIterator[Suite]:
    monkeypatch.setenv("MAILER_DATABASE", namespace.database("mailer"))
    monkeypatch.setenv("MAILER_DEFAULT_LANGUAGE", "de")
    monkeypatch.setenv("TASKS_ALARM_POLL_S", "0.2")
    async with suite_of(namespace, ("tasks", "mailer")) as suite:
        yield suite
    client: AsyncMongoClient[Document] = AsyncMongoClient(namespace.infra.mongodb_url)
    await client.drop_database(namespace.database("mailer"))
    await client.close()


async def test_task_reminders_and_overdue_alerts_reach_an_assignee_with_an_address_once(
    task_mailing: Suite, broker: RabbitBroker, namespace: Namespace, smtp: MailServer
) -> None:
    rpc: RpcClient = broker.rpc  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    async with tap(namespace.infra.amqp_url, namespace.topology.events.name, "task.#") as rang:
        for assignee in ("Ben.Berg@Example.org", "key-ben"):
            draft = TaskDraft(
                title="Rückruf wegen der Erstattung",
                assignee=assignee,
                # Far enough ahead that a slow machine still arms them.
                due_at=now + timedelta(seconds=4),
                reminders=((now + timedelta(seconds=3)).isoformat(),),
            )
            reply = await rpc.request("tasks", CreateTask(task=draft, actor=TEST_ACTOR))
            assert reply.ok, reply.problem
        # Both tasks' reminder and overdue alert rang; only Ben has an address.
        await rang.wait_for(2, "task.reminder_due.v1", timeout=30)
        await rang.wait_for(2, "task.overdue.v1", timeout=30)

    await eventually(lambda: len(smtp.received) == 2, timeout=30, what="Ben's two mails")
    reminder, overdue = sorted(smtp.to("Ben.Berg@example.org"), key=lambda m: m["Subject"])
    assert overdue["Subject"] == "Überfällig: Rückruf wegen der Erstattung"
    assert reminder["Subject"] == "Erinnerung: Rückruf wegen der Erstattung"
    assert reminder["Content-Language"] == "de"
    text, html = parts(reminder)
    assert "Sie ist fällig am" in text
    assert "<strong>Rückruf wegen der Erstattung</strong>" in html

    # The reminder's event again (a redelivery, a replay): no second mail.
    [event] = [e for e in rang.bodies("task.reminder_due.v1") if "@" in e["assignee"]]
    await send(broker, namespace, TaskReminderDue.model_validate(event))
    await asyncio.sleep(1)
    assert len(smtp.received) == 2
