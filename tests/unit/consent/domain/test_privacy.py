"""Pseudonyms on erasure and double opt-in tokens."""

from __future__ import annotations

import pytest

from services.consent.domain.ledger import LedgerEntry
from services.consent.domain.pseudonyms import pseudonym, pseudonymised
from services.consent.domain.tokens import (
    LinkNotReadable,
    TokenState,
    confirm_url,
    masked_email,
    new_token,
    seal,
    token_digest,
    token_state,
    unseal,
)
from shared.contracts.consent import Evidence, LedgerOutcome
from shared.contracts.envelope import Actor, ActorType
from tests.unit.consent.decisions import SINGLE, S, at

KEY = b"pseudonym key"


def entry() -> LedgerEntry:
    return LedgerEntry(
        id="e1",
        customer_id="c1",
        seq=1,
        purpose="email",
        decision=SINGLE,
        previous_state="none",
        state=SINGLE,
        outcome=LedgerOutcome.APPLIED,
        evidence=Evidence(
            source=S.SELF_SERVICE,
            decided_at=at(0),
            text="Yes, send me the newsletter",
            text_version="nl-3",
            ip_address="203.0.113.9",
            user_agent="Firefox/140",
            order_id="5001",
        ),
        actor=Actor(type=ActorType.CUSTOMER, id="c1"),
        email="Ada@Example.com",
        message_id="m1",
        correlation_id="m1",
        recorded_at=at(1),
    )


def test_pseudonymised_entry_keeps_the_proof_without_the_person() -> None:
    done = pseudonymised(entry(), key=KEY, now=at(5))
    assert done.email is None
    assert done.evidence.ip_address is None
    assert done.evidence.user_agent is None
    assert done.pseudonym == pseudonym(KEY, email="ada@example.com", customer_id="c1")
    assert done.pseudonymised_at == at(5)
    kept = ("decision", "state", "outcome", "seq", "customer_id")
    assert {k: getattr(done, k) for k in kept} == {k: getattr(entry(), k) for k in kept}
    assert (done.evidence.text, done.evidence.text_version, done.evidence.decided_at) == (
        "Yes, send me the newsletter",
        "nl-3",
        at(0),
    )
    assert "ada" not in done.model_dump_json().lower()


def test_pseudonymising_twice_changes_nothing() -> None:
    once = pseudonymised(entry(), key=KEY, now=at(5))
    assert pseudonymised(once, key=KEY, now=at(9)) == once


def test_the_pseudonym_needs_the_key() -> None:
    one = pseudonym(KEY, email="ada@example.com", customer_id="c1")
    assert one == pseudonym(KEY, email=" ADA@example.com", customer_id="c2")
    assert one != pseudonym(b"other key", email="ada@example.com", customer_id="c1")
    assert one.startswith("hmac-sha256:")
    assert pseudonym(KEY, email=None, customer_id="c1") != pseudonym(
        KEY, email=None, customer_id="c2"
    )


def test_tokens_are_random_and_stored_as_keyed_hashes() -> None:
    token = new_token()
    assert token != new_token()
    assert len(token) >= 43
    digest = token_digest(b"secret", token)
    assert token not in digest
    assert digest == token_digest(b"secret", token)
    assert digest != token_digest(b"other", token)


def test_token_states() -> None:
    expires = at(60)
    assert token_state(expires_at=expires, used_at=None, now=at(59)) == TokenState.VALID
    assert token_state(expires_at=expires, used_at=None, now=at(60)) == TokenState.EXPIRED
    assert token_state(expires_at=expires, used_at=at(1), now=at(2)) == TokenState.USED


def test_the_sealed_link_opens_only_with_the_mailer_secret() -> None:
    link = confirm_url("https://api.example.com/v1/consents/confirm", "abc_-123")
    assert link == "https://api.example.com/v1/consents/confirm?token=abc_-123"
    sealed = seal(b"mailer", link)
    assert "abc_-123" not in sealed
    assert unseal(b"mailer", sealed) == link
    with pytest.raises(LinkNotReadable):
        unseal(b"someone else", sealed)


def test_masked_email() -> None:
    assert masked_email("ada@example.com") == "a***@example.com"
