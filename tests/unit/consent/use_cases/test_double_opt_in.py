"""Double opt-in on in-memory stores: the mail's event, the single-use link, its expiry."""

from __future__ import annotations

import pytest

from services.consent.domain.errors import ErasedCustomer, ExpiredToken, UnknownToken, UsedToken
from services.consent.domain.tokens import token_digest
from shared.contracts.consent import (
    ConfirmDoubleOptIn,
    ConsentChanged,
    ConsentSource,
    ConsentState,
    DoubleOptInRequested,
    RequestDoubleOptIn,
)
from shared.contracts.customers import CustomerStatus
from shared.contracts.envelope import ActorType
from shared.errors import InvalidInput
from tests.conftest import TEST_ACTOR
from tests.unit.consent.use_cases.fakes import KEYS, Consent, customer


def ask(customer_id: str, **fields: object) -> RequestDoubleOptIn:
    return RequestDoubleOptIn.model_validate(
        {"customer_id": customer_id, "purpose": "email", "text_version": "newsletter-v3"}
        | fields
        | {"actor": TEST_ACTOR}
    )


def click(token: str) -> ConfirmDoubleOptIn:
    return ConfirmDoubleOptIn(token=token, user_agent="Mail/1.0", actor=TEST_ACTOR)


async def started(consent: Consent, customer_id: str, **fields: object) -> str:
    """Start a double opt-in; the token the mailer finds in the sealed link."""
    await consent.cases.double_opt_in.request(ask(customer_id, **fields))
    return consent.mailed_token()


async def test_the_mail_carries_a_sealed_link_whose_token_is_stored_only_as_a_hash() -> None:
    consent = Consent()
    await consent.knows("hanna", "hanna@example.com")
    answer = await consent.cases.double_opt_in.request(ask("hanna", channel="shopify"))
    assert answer.sent_to == "h***@example.com"
    assert answer.expires_at == consent.clock.now + KEYS.lifetime

    [mail] = consent.published(DoubleOptInRequested)
    assert (mail.email, mail.purpose, mail.channel) == ("hanna@example.com", "email", "shopify")
    token = consent.mailed_token()
    [stored] = consent.tokens.by_digest.values()
    assert stored.digest == token_digest(KEYS.token_secret, token)
    assert token not in str(stored)
    assert stored.used_at is None


async def test_a_request_that_cannot_be_mailed_is_refused_naming_the_fields() -> None:
    consent = Consent()
    await consent.knows("ivo")
    with pytest.raises(InvalidInput) as no_text:
        await consent.cases.double_opt_in.request(ask("ivo", text_version=None))
    assert {e.field for e in no_text.value.errors} == {"text_version"}
    # A customer without an address cannot be mailed.
    consent.directory.by_id["ivo"] = customer("ivo").model_copy(update={"primary_email": None})
    with pytest.raises(InvalidInput) as no_address:
        await consent.cases.double_opt_in.request(ask("ivo", purpose="carrier_pigeon"))
    assert {e.field for e in no_address.value.errors} == {"purpose", "customer_id"}
    assert consent.tokens.by_digest == {}
    assert consent.published(DoubleOptInRequested) == []


async def test_a_confirmed_link_makes_it_a_double_opt_in_with_evidence() -> None:
    consent = Consent()
    await consent.knows("hanna", "hanna@example.com")
    token = await started(consent, "hanna", channel="shopify", text="Yes, the newsletter")
    consent.clock.advance(minutes=5)

    confirmed = await consent.cases.double_opt_in.confirm(click(token))

    assert (confirmed.state, confirmed.confirmed_at) == (
        ConsentState.DOUBLE_OPT_IN,
        consent.clock.now,
    )
    [entry] = await consent.ledger.entries("hanna")
    assert (entry.purpose, entry.channel, entry.state) == ("email", "shopify", "double_opt_in")
    assert entry.evidence.source == ConsentSource.DOUBLE_OPT_IN
    assert (entry.evidence.text, entry.evidence.user_agent) == ("Yes, the newsletter", "Mail/1.0")
    assert entry.email == "hanna@example.com"
    assert entry.requested_at is not None
    assert (entry.actor.type, entry.actor.id) == (ActorType.CUSTOMER, "hanna")
    [changed] = consent.published(ConsentChanged)
    assert (changed.channel, changed.state) == ("shopify", "double_opt_in")


async def test_a_link_works_once_and_the_same_click_twice_is_one_click() -> None:
    consent = Consent()
    await consent.knows("jo")
    token = await started(consent, "jo")
    first_click = click(token)
    first = await consent.cases.double_opt_in.confirm(first_click)
    assert await consent.cases.double_opt_in.confirm(first_click) == first

    with pytest.raises(UsedToken) as used:
        await consent.cases.double_opt_in.confirm(click(token))
    assert used.value.errors[0].model_dump() == {
        "field": "token",
        "message": "this link was used already",
    }
    assert len(await consent.ledger.entries("jo")) == 1


async def test_unknown_and_expired_links_are_refused_and_change_nothing() -> None:
    consent = Consent()
    with pytest.raises(UnknownToken):
        await consent.cases.double_opt_in.confirm(click("A" * 43))

    await consent.knows("kai")
    token = await started(consent, "kai")
    consent.clock.advance(seconds=KEYS.lifetime.total_seconds())
    with pytest.raises(ExpiredToken):
        await consent.cases.double_opt_in.confirm(click(token))
    assert await consent.ledger.entries("kai") == []
    assert all(r.used_at is None for r in consent.tokens.by_digest.values())


async def test_a_link_of_a_customer_erased_since_confirms_nothing() -> None:
    consent = Consent()
    await consent.knows("lu")
    token = await started(consent, "lu")
    await consent.knows("lu", version=2, status=CustomerStatus.ERASED)
    with pytest.raises(ErasedCustomer):
        await consent.cases.double_opt_in.confirm(click(token))
    # Rolled back with the refusal: the token is not used up.
    assert all(r.used_at is None for r in consent.tokens.by_digest.values())
    assert await consent.ledger.entries("lu") == []
