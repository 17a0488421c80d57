"""Mails in the person's language from template files, with the link the consent service sealed,
sent once per event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from services.consent.domain.tokens import seal
from services.mailer.adapters.templates import JinjaTemplates
from services.mailer.domain.links import LinkNotReadable, in_language, unseal
from services.mailer.domain.mails import Mail, language_for
from services.mailer.use_cases.double_opt_in import DoubleOptInMails, UnreadableLink
from services.mailer.use_cases.ports import CustomerGone
from services.mailer.use_cases.sending import SendOnce
from shared.contracts.consent import DoubleOptInRequested
from shared.contracts.envelope import SYSTEM_ACTOR, Message

SECRET = b"dev-only-consent-mailer-secret"
LINK = "https://crm.example.com/v1/consents/confirm?token=abc&x=<1>"


def test_the_language_is_the_persons_where_a_template_speaks_it() -> None:
    available = frozenset({"de", "en"})
    assert language_for("de", available, "en") == "de"
    assert language_for("de-CH", available, "en") == "de"
    assert language_for("EN_gb", available, "de") == "en"
    assert language_for("fr", available, "en") == "en"
    assert language_for(None, available, "de") == "de"


def test_the_mailer_opens_what_the_consent_service_sealed_and_nothing_else() -> None:
    assert unseal(SECRET, seal(SECRET, LINK)) == LINK
    with pytest.raises(LinkNotReadable):
        unseal(b"another secret", seal(SECRET, LINK))


def test_each_template_has_a_subject_a_text_and_an_html_part_in_german_and_english() -> None:
    templates = JinjaTemplates()
    assert templates.languages("double_opt_in") >= {"de", "en"}
    context = {
        "link": LINK,
        "purpose": "email",
        "channel": None,
        "text": "Newsletter <monatlich>",
        "expires_at": datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
    }
    subject, text, html = templates.render("double_opt_in", "de", context)
    assert subject == "Bitte bestätigen Sie Ihre Einwilligung"
    assert LINK in text
    assert "Nachrichten per E-Mail" in text
    assert "02.12.2026, 09:30 UTC" in text
    assert "Newsletter <monatlich>" in text
    # HTML is escaped: the link and the consent text cannot break out of their places.
    assert LINK.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html
    assert "Newsletter &lt;monatlich&gt;" in html
    subject, text, html = templates.render("double_opt_in", "en", context)
    assert subject == "Please confirm your consent"
    assert "02 Dec 2026, 09:30 UTC" in text
    assert '<html lang="en">' in html


@dataclass
class Recorded:
    mails: list[Mail] = field(default_factory=list)
    events: set[str] = field(default_factory=set)

    async def send(self, mail: Mail) -> None:
        self.mails.append(mail)

    async def claim(self, event: Message) -> bool:
        return event.message_id not in self.events

    async def release(self, event: Message) -> None:
        pass

    async def record(self, event: Message) -> None:
        self.events.add(event.message_id)


@dataclass
class Languages:
    known: dict[str, str | None]

    async def language_of(self, customer_id: str) -> str | None:
        if customer_id not in self.known:
            raise CustomerGone(customer_id)
        return self.known[customer_id]


def requested(customer_id: str, sealed: str | None = None) -> DoubleOptInRequested:
    return DoubleOptInRequested(
        customer_id=customer_id,
        purpose="email",
        email=f"{customer_id}@example.com",
        expires_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        sealed_confirm_url=sealed or seal(SECRET, LINK),
        actor=SYSTEM_ACTOR,
    )


def mails(recorded: Recorded, languages: dict[str, str | None]) -> DoubleOptInMails:
    return DoubleOptInMails(
        once=SendOnce(recorded, recorded),
        templates=JinjaTemplates(),
        customers=Languages(languages),
        link_secret=SECRET,
        default_language="en",
    )


async def test_a_redelivered_event_sends_nothing_twice() -> None:
    recorded = Recorded()
    cases = mails(recorded, {"hanna": "de", "sam": None})
    event = requested("hanna")
    assert await cases.send(event)
    assert not await cases.send(event)
    assert await cases.send(requested("sam"))
    assert [(m.to, m.language) for m in recorded.mails] == [
        ("hanna@example.com", "de"),
        ("sam@example.com", "en"),
    ]


async def test_nothing_goes_to_an_erased_person_and_a_foreign_seal_is_refused_for_good() -> None:
    recorded = Recorded()
    cases = mails(recorded, {"hanna": "de"})
    assert not await cases.send(requested("erased-person"))
    with pytest.raises(UnreadableLink):
        await cases.send(requested("hanna", sealed=seal(b"another secret", LINK)))
    assert recorded.mails == []


def test_the_link_carries_the_mails_language_for_the_page_it_opens() -> None:
    assert in_language("https://x.example/confirm?token=abc", "de") == (
        "https://x.example/confirm?token=abc&lang=de"
    )
    assert in_language("https://x.example/confirm?lang=en&token=a-b_c", "de") == (
        "https://x.example/confirm?token=a-b_c&lang=de"
    )
