"""The consent entry points on in-memory stores: which problem a refusal is answered with, and
whether a refused message is tried again or parked."""

from __future__ import annotations

from typing import Any

import pytest

from services.consent.entrypoints.inbox import inbox_dispatcher
from services.consent.entrypoints.requests import request_dispatcher
from shared.contracts.consent import (
    ConfirmDoubleOptIn,
    DefinePurpose,
    GetConsentHistory,
    GetConsents,
    RequestDoubleOptIn,
)
from shared.contracts.customers import CustomerStatus
from shared.contracts.envelope import Message
from shared.dispatch import InvalidMessage, PermanentFailure
from shared.redelivery import TransientFailure
from shared.rpc import answer
from tests.conftest import TEST_ACTOR
from tests.integration.consent.messages import record_consent
from tests.unit.consent.use_cases.fakes import Consent


async def ask(consent: Consent, message: Message) -> dict[str, Any]:
    reply = await answer(request_dispatcher(consent.cases), message.model_dump(mode="json"))
    problem: dict[str, Any] = reply["problem"]
    return problem


async def test_refusals_keep_their_statuses_and_problem_types() -> None:
    consent = Consent()
    await consent.knows("bob")
    await consent.knows("gone", status=CustomerStatus.ERASED)
    await consent.cases.decisions.record_for_caller(record_consent("bob", "withdrawn", "api"))

    overruled = await ask(consent, record_consent("bob", "single_opt_in", "supporter", minute=1))
    assert (overruled["status"], overruled["type"]) == (
        409,
        "urn:problem:consent-withdrawal-stands",
    )
    assert overruled["errors"][0]["field"] == "state"

    unknown = await ask(consent, GetConsents(customer_id="nobody", actor=TEST_ACTOR))
    assert (unknown["status"], unknown["type"]) == (404, "urn:problem:not-found")
    assert unknown["errors"][0]["field"] == "customer_id"
    erased = await ask(consent, GetConsents(customer_id="gone", actor=TEST_ACTOR))
    assert (erased["status"], erased["type"]) == (410, "urn:problem:customer-erased")

    bad_cursor = await ask(
        consent, GetConsentHistory(customer_id="bob", cursor="x", actor=TEST_ACTOR)
    )
    assert (bad_cursor["status"], bad_cursor["errors"][0]["field"]) == (422, "cursor")
    no_text = await ask(
        consent, RequestDoubleOptIn(customer_id="bob", purpose="email", actor=TEST_ACTOR)
    )
    assert (no_text["status"], no_text["type"]) == (422, "urn:problem:business-rule")
    taken = await ask(consent, DefinePurpose(key="email", title="Other", actor=TEST_ACTOR))
    assert (taken["status"], taken["type"]) == (409, "urn:problem:purpose-exists")


async def test_link_refusals_are_told_apart() -> None:
    consent = Consent()
    unknown = await ask(consent, ConfirmDoubleOptIn(token="A" * 43, actor=TEST_ACTOR))
    assert (unknown["status"], unknown["type"]) == (404, "urn:problem:consent-token-unknown")
    assert unknown["errors"] == [{"field": "token", "message": "this link is not valid"}]

    await consent.knows("jo")
    start = RequestDoubleOptIn(
        customer_id="jo", purpose="email", text_version="v1", actor=TEST_ACTOR
    )
    await consent.cases.double_opt_in.request(start)
    used = consent.mailed_token()
    await consent.cases.double_opt_in.confirm(ConfirmDoubleOptIn(token=used, actor=TEST_ACTOR))
    again = await ask(consent, ConfirmDoubleOptIn(token=used, actor=TEST_ACTOR))
    assert (again["status"], again["type"]) == (409, "urn:problem:consent-token-used")
    assert again["errors"] == [{"field": "token", "message": "this link was used already"}]

    await consent.cases.double_opt_in.request(start.with_id("second mail"))
    late = consent.mailed_token()
    consent.clock.advance(days=3)
    expired = await ask(consent, ConfirmDoubleOptIn(token=late, actor=TEST_ACTOR))
    assert (expired["status"], expired["type"]) == (410, "urn:problem:consent-token-expired")
    assert expired["errors"][0]["field"] == "token"


async def test_a_refused_decision_message_is_retried_or_parked() -> None:
    consent = Consent()
    inbox = inbox_dispatcher(consent.cases)

    async def deliver(message: Message) -> None:
        await inbox.dispatch(message.model_dump(mode="json"))

    # Unknown: its CustomerCreated may still be on the way (retried, then parked).
    with pytest.raises(TransientFailure, match="not known"):
        await deliver(record_consent("later", "single_opt_in"))
    await consent.knows("gone", status=CustomerStatus.ERASED)
    with pytest.raises(PermanentFailure, match="erased"):
        await deliver(record_consent("gone", "withdrawn"))
    await consent.knows("ok")
    with pytest.raises(InvalidMessage, match=r"evidence\.source: merge is set by the suite"):
        await deliver(record_consent("ok", "single_opt_in", "merge"))
    assert consent.ledger.by_id == {}
