"""Dead letters through the gateway: only for those who manage access, and a body shown in full
only to a role that reads every field group (others see its envelope)."""

from __future__ import annotations

import json

import pytest

from services.gateway.domain.policy import AccessDenied, Grants
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.domain.roles import DEFAULT_ROLES, Action, Role
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.dead_letters import HIDDEN, DeadLetters
from shared.dead_letters import Parked
from shared.errors import InvalidInput, NotFound

BODY = {
    "type": "customer.import.v1",
    "message_id": "m-1",
    "actor": {"type": "api", "id": "k"},
    "record": {"first_name": "Ivo", "emails": ["ivo@example.com"]},
}
OPERATOR = Role(
    "operator", reads=frozenset({"customers"}), actions=frozenset({Action.MANAGE_ACCESS})
)


class Queues:
    def __init__(self) -> None:
        self.parked_messages = [
            Parked("m-1", "job-1", "customer.import.v1", "extra.tier: no", {}, json.dumps(BODY)),
            Parked("m-2", "job-2", None, "not JSON", {}, "Ivo's raw text"),
        ]
        self.replayed: list[str] = []

    def services(self) -> tuple[str, ...]:
        return ("customer", "consent")

    async def parked(
        self,
        service: str,
        *,
        limit: int,
        message_id: str | None = None,
        correlation_id: str | None = None,
    ) -> list[Parked]:
        return [
            p
            for p in self.parked_messages
            if message_id in (None, p.message_id) and correlation_id in (None, p.correlation_id)
        ][:limit]

    async def replay(self, service: str, message_id: str) -> bool:
        found = [p for p in self.parked_messages if p.message_id == message_id]
        self.parked_messages = [p for p in self.parked_messages if p not in found]
        self.replayed += [p.message_id or "" for p in found]
        return bool(found)


def caller(*roles: str) -> Caller:
    who = Principal("p", "p", PrincipalKind.KEY, roles)
    return Caller(who, Grants.of(who, (*DEFAULT_ROLES, OPERATOR)))


async def test_an_admin_sees_the_whole_body_an_operator_its_envelope() -> None:
    dead_letters = DeadLetters(Queues())
    whole = await dead_letters.get(caller("admin"), "customer", "m-1")
    assert whole.body == BODY
    assert not whole.redacted
    cut = await dead_letters.get(caller("operator"), "customer", "m-1")
    assert cut.redacted
    assert cut.reason == "extra.tier: no"
    assert isinstance(cut.body, dict)
    assert cut.body["record"] == HIDDEN
    assert cut.body["actor"] == BODY["actor"]
    text = await dead_letters.get(caller("operator"), "customer", "m-2")
    assert text.body == HIDDEN
    assert text.redacted
    listed = await dead_letters.list(caller("operator"), "customer", correlation_id="job-1")
    assert [m.message_id for m in listed.items] == ["m-1"]


async def test_replayed_once_refused_to_others_and_for_unknown_services() -> None:
    queues = Queues()
    dead_letters = DeadLetters(queues)
    with pytest.raises(AccessDenied):
        await dead_letters.list(caller("supporter"), "customer")
    with pytest.raises(AccessDenied):
        await dead_letters.replay(caller("supporter"), "customer", "m-1")
    with pytest.raises(InvalidInput):
        await dead_letters.list(caller("admin"), "nobody")
    replayed = await dead_letters.replay(caller("admin"), "customer", "m-1")
    assert replayed.message_id == "m-1"
    assert queues.replayed == ["m-1"]
    with pytest.raises(NotFound):
        await dead_letters.replay(caller("admin"), "customer", "m-1")
