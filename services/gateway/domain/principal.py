"""The one a request acts as: a person (signed in at an identity provider, a JWT) or a key."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.contracts.envelope import Actor, ActorType


class PrincipalKind(StrEnum):
    PERSON = "person"
    KEY = "key"


@dataclass(frozen=True)
class Principal:
    # A key's id, or the subject of the person's token.
    id: str
    name: str
    kind: PrincipalKind
    roles: tuple[str, ...]
    # A key bound to one shop acts for that shop only (integrations).
    shop: str | None = None

    @property
    def actor(self) -> Actor:
        """How the principal appears in the history of what it changes and reads."""
        if self.kind is PrincipalKind.PERSON:
            return Actor(type=ActorType.SUPPORTER, id=self.id)
        return Actor(type=ActorType.API, id=self.id)
