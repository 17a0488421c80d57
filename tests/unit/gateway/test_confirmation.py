"""The double opt-in link in a browser: which page a click leads to, in which language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.gateway.adapters.pages import Pages
from services.gateway.use_cases.confirmation import (
    LinkClick,
    LinkOutcome,
    confirm_link,
    page_language,
)
from shared.contracts.consent import ConfirmDoubleOptIn, ConsentState, DoubleOptInConfirmed
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.replies import Problem
from tests.unit.gateway.fakes import FakeServices, problem

HOLDER = Actor(type=ActorType.CUSTOMER, id="confirmation-link")
TOKEN = "A" * 43
KNOWN = frozenset({"de", "en"})


@pytest.mark.parametrize(
    ("requested", "accept_language", "expected"),
    [
        ("de", "en", "de"),
        ("fr", "de-AT,de;q=0.8", "de"),
        (None, "fr-FR, en;q=0.7, de;q=0.9", "de"),
        (None, "de;q=0, en-GB", "en"),
        (None, "de;q=x, fr", "en"),
        (None, None, "en"),
    ],
)
def test_the_links_language_then_the_browsers_then_english(
    requested: str | None, accept_language: str | None, expected: str
) -> None:
    assert page_language(requested, accept_language, KNOWN) == expected


def answering(answer: Problem | DoubleOptInConfirmed) -> FakeServices:
    return FakeServices({("consent", ConfirmDoubleOptIn): lambda _: answer})


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(409, LinkOutcome.USED), (410, LinkOutcome.EXPIRED), (404, LinkOutcome.UNKNOWN)],
)
async def test_a_refusal_becomes_the_page_a_person_understands(
    status: int, outcome: LinkOutcome
) -> None:
    click = LinkClick(TOKEN, None, None)
    assert await confirm_link(answering(problem(status)), click, HOLDER) == (outcome, None)


async def test_a_malformed_token_is_unknown_without_asking() -> None:
    services = answering(problem(500))
    for token in (None, "short", "x" * 20 + "<"):
        found = await confirm_link(services, LinkClick(token, None, None), HOLDER)
        assert found == (LinkOutcome.UNKNOWN, None)
    assert services.asked == []


async def test_a_confirmed_link_renders_in_german() -> None:
    confirmed = DoubleOptInConfirmed(
        purpose="sms",
        channel="shopify",
        state=ConsentState.DOUBLE_OPT_IN,
        confirmed_at=datetime(2026, 11, 30, tzinfo=UTC),
    )
    click = LinkClick(TOKEN, "198.51.100.4", "Mail/1.0")
    outcome, view = await confirm_link(answering(confirmed), click, HOLDER)
    assert outcome == LinkOutcome.CONFIRMED
    pages = Pages()
    assert pages.languages("confirmation") == KNOWN
    html = pages.render("confirmation", "de", outcome=outcome.value, confirmed=view)
    assert "Nachrichten per SMS von uns (shopify)" in html
