"""Where a consent holds: a purpose, for every channel or for one channel.

A decision without a channel holds for every channel, so the state of a channel's consent comes
from the decisions for that channel *and* those for all channels: a withdrawal of email
marketing in general also ends the email marketing a Shopify order opted into, and an import
for one channel cannot get around a general withdrawal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.consent.domain.rules import Decision, Folded, fold

ALL_CHANNELS = "*"


@dataclass(frozen=True, order=True)
class Scope:
    purpose: str
    channel: str | None = None

    @property
    def label(self) -> str:
        return f"{self.purpose}/{self.channel or ALL_CHANNELS}"


def scope_of(decision: Decision) -> Scope:
    return Scope(decision.purpose, decision.channel)


def applies_to(decision: Decision, scope: Scope) -> bool:
    return decision.purpose == scope.purpose and decision.channel in (None, scope.channel)


def state_of(decisions: Iterable[Decision], scope: Scope) -> Folded:
    return fold(d for d in decisions if applies_to(d, scope))


def scopes_of(decisions: Iterable[Decision]) -> set[Scope]:
    return {scope_of(d) for d in decisions}


def current_states(decisions: Iterable[Decision]) -> dict[Scope, Folded]:
    """The state of every scope something was decided for: the projection, rebuilt."""
    every = list(decisions)
    return {scope: state_of(every, scope) for scope in sorted(scopes_of(every), key=_order)}


def _order(scope: Scope) -> tuple[str, str]:
    return (scope.purpose, scope.channel or "")
