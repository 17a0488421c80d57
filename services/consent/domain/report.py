"""Consent rates per purpose and channel, from counts of the stored consent states."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.contracts.consent import ConsentRate, ConsentState


@dataclass(frozen=True)
class StateCount:
    """How many customers have `state` in a scope (channel None: all channels).

    For a channel, `inherited` is the state the same customers have for all channels: a
    customer with no decision for a channel has their all-channels state there too.
    """

    purpose: str
    channel: str | None
    state: ConsentState
    inherited: ConsentState | None
    count: int


def consent_rates(
    *, purposes: Sequence[str], customers: int, counts: Iterable[StateCount]
) -> list[ConsentRate]:
    every = list(counts)
    rates = []
    for purpose in purposes:
        overall = {state: 0 for state in ConsentState}
        for c in every:
            if c.purpose == purpose and c.channel is None:
                overall[c.state] += c.count
        # Customers without a stored state have decided nothing. (Never below zero: the
        # directory may learn of a customer after their first consent.)
        overall[ConsentState.NONE] += max(0, customers - sum(overall.values()))
        rates.append(_rate(purpose, None, customers, overall))
        channels = sorted({c.channel for c in every if c.purpose == purpose and c.channel})
        for channel in channels:
            counts_here = dict(overall)
            for c in every:
                if c.purpose == purpose and c.channel == channel:
                    counts_here[c.inherited or ConsentState.NONE] -= c.count
                    counts_here[c.state] += c.count
            rates.append(_rate(purpose, channel, customers, counts_here))
    return rates


def _rate(
    purpose: str, channel: str | None, customers: int, counts: dict[ConsentState, int]
) -> ConsentRate:
    opted_in = counts[ConsentState.SINGLE_OPT_IN] + counts[ConsentState.DOUBLE_OPT_IN]
    return ConsentRate(
        purpose=purpose,
        channel=channel,
        customers=customers,
        counts=counts,
        opt_in_rate=round(opted_in / customers, 4) if customers else 0.0,
        double_opt_in_rate=(
            round(counts[ConsentState.DOUBLE_OPT_IN] / customers, 4) if customers else 0.0
        ),
    )
