"""What may be recorded at all; every refusal names its field."""

from __future__ import annotations

from datetime import timedelta

from services.consent.domain.purposes import DEFAULT_PURPOSES, PurposeDefinition
from services.consent.domain.validation import check_decision
from shared.contracts.consent import ConsentSource, ConsentState, Evidence
from tests.unit.consent.decisions import DOUBLE, SINGLE, WITHDRAWN, S, at

EMAIL = PurposeDefinition(key="email", title="Email")
NOW = at(0)


def fields(
    state: ConsentState = SINGLE,
    *,
    source: ConsentSource = S.SUPPORTER,
    purpose: PurposeDefinition | None = EMAIL,
    channel: str | None = None,
    from_api: bool = True,
    **evidence: object,
) -> set[str]:
    errors = check_decision(
        state=state,
        channel=channel,
        evidence=Evidence.model_validate(
            {"source": source, "decided_at": NOW, "text_version": "v1"} | evidence
        ),
        purpose_key="email",
        purpose=purpose,
        now=NOW,
        from_api=from_api,
    )
    return {e.field for e in errors}


def test_a_complete_decision_passes() -> None:
    assert fields() == set()
    assert fields(source=S.ORDER_IMPORT, from_api=False, text_version=None) == set()


def test_unknown_and_retired_purposes() -> None:
    assert fields(purpose=None) == {"purpose"}
    retired = EMAIL.model_copy(update={"active": False})
    assert fields(purpose=retired) == {"purpose"}
    # A withdrawal is always taken, also for a purpose no longer offered.
    assert fields(WITHDRAWN, purpose=retired) == set()


def test_sources_the_api_may_not_claim() -> None:
    assert fields(source=S.ORDER_IMPORT) == {"evidence.source"}
    assert fields(source=S.MERGE, from_api=False) == {"evidence.source"}
    assert fields(source=S.DOUBLE_OPT_IN, from_api=False) == {"evidence.source"}


def test_double_opt_in_only_by_confirmation_or_a_channel_that_confirmed_it() -> None:
    assert fields(DOUBLE) == {"state"}
    assert fields(DOUBLE, source=S.ORDER_IMPORT, from_api=False) == set()


def test_an_opt_in_from_the_api_needs_the_text_shown() -> None:
    assert fields(text_version=None) == {"evidence.text_version"}
    assert fields(text_version=None, text="Yes, send me news") == set()
    assert fields(WITHDRAWN, text_version=None) == set()


def test_time_channel_and_ip_address() -> None:
    assert fields(decided_at=NOW + timedelta(hours=1)) == {"evidence.decided_at"}
    assert fields(decided_at=NOW + timedelta(minutes=2)) == set()
    assert fields(channel="Shop ify") == {"channel"}
    assert fields(ip_address="300.1.1.1") == {"evidence.ip_address"}
    assert fields(ip_address="2001:db8::1") == set()


def test_the_six_default_purposes() -> None:
    assert [p.key for p in DEFAULT_PURPOSES] == [
        "email",
        "sms",
        "phone",
        "post",
        "third_party_sharing",
        "profiling",
    ]
