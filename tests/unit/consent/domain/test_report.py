"""Consent rates per purpose and channel."""

from __future__ import annotations

from services.consent.domain.report import StateCount, consent_rates
from tests.unit.consent.decisions import DOUBLE, NONE, SINGLE, WITHDRAWN


def test_rates_for_all_channels_and_per_channel() -> None:
    counts = [
        StateCount("email", None, SINGLE, None, 4),
        StateCount("email", None, DOUBLE, None, 2),
        StateCount("email", None, WITHDRAWN, None, 1),
        # Two customers decided for Shopify: one single opt-in there (generally withdrawn),
        # one withdrawal there (generally double opt-in); one with no general decision.
        StateCount("email", "shopify", SINGLE, WITHDRAWN, 1),
        StateCount("email", "shopify", WITHDRAWN, DOUBLE, 1),
        StateCount("email", "shopify", SINGLE, None, 1),
    ]
    [overall, shopify, sms] = consent_rates(purposes=["email", "sms"], customers=10, counts=counts)
    assert (overall.purpose, overall.channel, overall.customers) == ("email", None, 10)
    assert overall.counts == {NONE: 3, SINGLE: 4, DOUBLE: 2, WITHDRAWN: 1, "objection": 0}
    assert (overall.opt_in_rate, overall.double_opt_in_rate) == (0.6, 0.2)
    assert shopify.channel == "shopify"
    assert shopify.counts == {NONE: 2, SINGLE: 6, DOUBLE: 1, WITHDRAWN: 1, "objection": 0}
    assert shopify.opt_in_rate == 0.7
    assert (sms.purpose, sms.counts[NONE], sms.opt_in_rate) == ("sms", 10, 0.0)


def test_no_customers_no_division_by_zero() -> None:
    [rate] = consent_rates(purposes=["email"], customers=0, counts=[])
    assert rate.opt_in_rate == 0.0
