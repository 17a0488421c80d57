"""Purposes as data, and what the consent service answers, on in-memory stores."""

from __future__ import annotations

import pytest

from services.consent.domain.errors import PurposeExists, UnknownCustomer
from shared.contracts.consent import (
    ChangePurpose,
    ConsentState,
    DefinePurpose,
    GetConsentHistory,
    GetConsentOverview,
    GetConsentReport,
    GetConsents,
    ListPurposes,
)
from shared.errors import InvalidInput, NotFound
from tests.conftest import TEST_ACTOR
from tests.integration.consent.messages import record_consent
from tests.unit.consent.use_cases.fakes import Consent


def define(key: str, title: str) -> DefinePurpose:
    return DefinePurpose(key=key, title=title, actor=TEST_ACTOR)


async def test_a_purpose_is_defined_once_and_retired_by_a_change() -> None:
    consent = Consent()
    purposes = consent.cases.purposes
    club = await purposes.define(define("loyalty_club", "Loyalty club mails"))
    # The same definition again (a retried request) is no conflict; another one is.
    assert await purposes.define(define("loyalty_club", "Loyalty club mails")) == club
    with pytest.raises(PurposeExists) as exists:
        await purposes.define(define("loyalty_club", "Something else"))
    assert [e.field for e in exists.value.errors] == ["key"]

    retired = await purposes.change(
        ChangePurpose(key="loyalty_club", title="Club news", active=False, actor=TEST_ACTOR)
    )
    assert (retired.title, retired.active) == ("Club news", False)
    with pytest.raises(NotFound):
        await purposes.change(ChangePurpose(key="nothing_here", active=False, actor=TEST_ACTOR))
    listed = await purposes.list(ListPurposes(actor=TEST_ACTOR))
    assert {p.key: p.active for p in listed.items}["loyalty_club"] is False

    # A retired purpose takes withdrawals, no opt-ins.
    await consent.knows("ada")
    decisions = consent.cases.decisions
    with pytest.raises(InvalidInput) as refused:
        await decisions.record_from_message(
            record_consent("ada", "single_opt_in", purpose="loyalty_club")
        )
    assert [e.field for e in refused.value.errors] == ["purpose"]
    await decisions.record_from_message(record_consent("ada", "withdrawn", purpose="loyalty_club"))


async def test_every_active_purpose_is_listed_undecided_ones_as_none() -> None:
    consent = Consent()
    await consent.knows("ada")
    await consent.cases.decisions.record_from_message(record_consent("ada", "single_opt_in"))
    current = await consent.cases.queries.consents(GetConsents(customer_id="ada", actor=TEST_ACTOR))
    assert {c.purpose: c.state for c in current.consents} == {
        "email": ConsentState.SINGLE_OPT_IN,
        "sms": ConsentState.NONE,
        "phone": ConsentState.NONE,
        "post": ConsentState.NONE,
        "third_party_sharing": ConsentState.NONE,
        "profiling": ConsentState.NONE,
    }
    with pytest.raises(UnknownCustomer):
        await consent.cases.queries.consents(GetConsents(customer_id="nobody", actor=TEST_ACTOR))


async def test_history_pages_newest_first_with_a_cursor() -> None:
    consent = Consent()
    await consent.knows("dora")
    for minute, purpose in enumerate(("email", "sms", "post", "email", "profiling")):
        await consent.cases.decisions.record_from_message(
            record_consent("dora", "single_opt_in", minute=minute, purpose=purpose)
        )
    queries = consent.cases.queries

    seen: list[int] = []
    cursor = None
    while True:
        page = await queries.history(
            GetConsentHistory(customer_id="dora", limit=2, cursor=cursor, actor=TEST_ACTOR)
        )
        seen += [e.seq for e in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [5, 4, 3, 2, 1]

    emails = await queries.history(
        GetConsentHistory(customer_id="dora", purpose="email", actor=TEST_ACTOR)
    )
    assert [(e.seq, e.outcome) for e in emails.items] == [(4, "unchanged"), (1, "applied")]
    with pytest.raises(InvalidInput) as bad:
        await queries.history(GetConsentHistory(customer_id="dora", cursor="x", actor=TEST_ACTOR))
    assert [e.field for e in bad.value.errors] == ["cursor"]
    with pytest.raises(UnknownCustomer):
        await queries.history(GetConsentHistory(customer_id="nobody", actor=TEST_ACTOR))


async def test_the_overview_answers_as_the_three_queries_would() -> None:
    consent = Consent()
    await consent.knows("eve")
    for minute, state in enumerate(("single_opt_in", "withdrawn", "double_opt_in")):
        await consent.cases.decisions.record_from_message(
            record_consent("eve", state, minute=minute, purpose="sms")
        )
    await consent.cases.purposes.change(ChangePurpose(key="post", active=False, actor=TEST_ACTOR))
    queries, of_eve = consent.cases.queries, {"customer_id": "eve", "actor": TEST_ACTOR}

    overview = await queries.overview(GetConsentOverview(history=2, **of_eve))

    assert overview.consents == await queries.consents(GetConsents(**of_eve))
    assert overview.history == await queries.history(GetConsentHistory(limit=2, **of_eve))
    assert overview.purposes == await consent.cases.purposes.list(ListPurposes(actor=TEST_ACTOR))
    assert "post" not in {c.purpose for c in overview.consents.consents}
    assert [e.seq for e in overview.history.items] == [3, 2]
    with pytest.raises(UnknownCustomer):
        await queries.overview(GetConsentOverview(customer_id="nobody", actor=TEST_ACTOR))


async def test_the_report_counts_customers_without_a_decision_as_none() -> None:
    consent = Consent()
    for customer_id in ("a", "b", "c", "d"):
        await consent.knows(customer_id)
    decisions = consent.cases.decisions
    await decisions.record_from_message(record_consent("a", "single_opt_in"))
    await decisions.record_from_message(record_consent("b", "double_opt_in"))
    await decisions.record_from_message(record_consent("c", "withdrawn", channel="ebay"))

    report = await consent.cases.queries.report(GetConsentReport(purpose="email", actor=TEST_ACTOR))

    assert report.customers == 4
    assert report.generated_at == consent.clock.now
    overall, ebay = report.rates
    assert (overall.channel, overall.opt_in_rate, overall.double_opt_in_rate) == (None, 0.5, 0.25)
    assert (ebay.channel, ebay.counts[ConsentState.WITHDRAWN]) == ("ebay", 1)
    with pytest.raises(InvalidInput) as unknown:
        await consent.cases.queries.report(
            GetConsentReport(purpose="carrier_pigeon", actor=TEST_ACTOR)
        )
    assert [e.field for e in unknown.value.errors] == ["purpose"]
