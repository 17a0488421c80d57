"""A consent command about a customer the consent service has not learnt of yet is asked again,
for a while, if the customer service knows the customer; any other refusal stands at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.gateway.use_cases.consent_commands import ask_about_customer
from services.gateway.use_cases.ports import Refused
from shared.contracts import consent as cs
from shared.contracts import customers as c
from shared.contracts.envelope import SYSTEM_ACTOR
from shared.contracts.replies import FieldError, Problem
from tests.unit.gateway.fakes import FakeServices, problem

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
START = cs.RequestDoubleOptIn(customer_id="c1", purpose="newsletter", actor=SYSTEM_ACTOR)
STARTED = cs.DoubleOptInStarted(
    purpose="newsletter", sent_to="a***@example.com", expires_at=NOW + timedelta(days=2)
)
UNKNOWN = Problem(
    title="Customer not found",
    status=404,
    detail="customer c1 is not known to the consent service",
    errors=(FieldError(field="customer_id", message="not known to the consent service"),),
)
ANNA = c.CustomerView(
    id="c1",
    customer_number=10001,
    status=c.CustomerStatus.ACTIVE,
    version=1,
    first_name="Anna",
    created_at=NOW,
    updated_at=NOW,
)


def consent_answers(*answers: Any) -> Any:
    """The consent service's answers, one per time it is asked."""
    left = list(answers)
    return lambda _: left.pop(0)


async def test_a_customer_the_consent_service_learns_of_meanwhile_is_asked_about_again() -> None:
    services = FakeServices(
        {
            ("consent", cs.RequestDoubleOptIn): consent_answers(UNKNOWN, UNKNOWN, STARTED),
            ("customer", c.GetCustomer): lambda _: ANNA,
        }
    )
    started = await ask_about_customer(services, START, cs.DoubleOptInStarted)
    assert started == STARTED
    assert len(services.sent(cs.RequestDoubleOptIn)) == 3
    # The same command each time: it changed nothing when refused.
    assert {m.message_id for m in services.sent(cs.RequestDoubleOptIn)} == {START.message_id}
    assert len(services.sent(c.GetCustomer)) == 1


async def test_a_customer_the_customer_service_does_not_know_either_is_refused_at_once() -> None:
    services = FakeServices(
        {
            ("consent", cs.RequestDoubleOptIn): consent_answers(UNKNOWN, STARTED),
            ("customer", c.GetCustomer): lambda _: problem(404, "Customer not found"),
        }
    )
    with pytest.raises(Refused) as refused:
        await ask_about_customer(services, START, cs.DoubleOptInStarted)
    assert refused.value.problem == UNKNOWN
    assert len(services.sent(cs.RequestDoubleOptIn)) == 1


async def test_other_refusals_stand_without_asking_the_customer_service() -> None:
    unknown_purpose = Problem(
        title="Purpose not found",
        status=404,
        errors=(FieldError(field="purpose", message="no such purpose"),),
    )
    for refusal in (unknown_purpose, problem(409, "Overruled"), problem(410, "Erased")):
        services = FakeServices(
            {
                ("consent", cs.RequestDoubleOptIn): consent_answers(refusal, STARTED),
                ("customer", c.GetCustomer): lambda _: ANNA,
            }
        )
        with pytest.raises(Refused) as refused:
            await ask_about_customer(services, START, cs.DoubleOptInStarted)
        assert refused.value.problem == refusal
        assert services.sent(c.GetCustomer) == []


async def test_the_refusal_stands_once_the_consent_service_took_too_long() -> None:
    services = FakeServices(
        {
            ("consent", cs.RequestDoubleOptIn): lambda _: UNKNOWN,
            ("customer", c.GetCustomer): lambda _: ANNA,
        }
    )
    with pytest.raises(Refused) as refused:
        await ask_about_customer(services, START, cs.DoubleOptInStarted, catch_up_s=0.1)
    assert refused.value.problem == UNKNOWN
    # Asked at 0, then after 20, 40 ms (the next wait, 80 ms, would end past 100 ms).
    assert 2 <= len(services.sent(cs.RequestDoubleOptIn)) <= 4
