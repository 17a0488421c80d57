"""Dead letters through the gateway: only for those who manage access, and a body shown in full
only to a role that reads every field group (others see its envelope)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from services.gateway.domain.dead_letter_reads import PERSONAL_GROUPS
from services.gateway.domain.policy import AccessDenied, Grants
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.domain.roles import DEFAULT_ROLES, Action, Role
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.dead_letters import HIDDEN, DeadLetters
from shared.dead_letters import Parked
from shared.errors import InvalidInput, NotFound
from shared.logs import REDACTED

BODY = {
    "type": "customer.import.v1",
    "message_id": "m-1",
    "actor": {"type": "api", "id": "k"},
    "record": {"first_name": "Ivo", "emails": ["ivo@example.com"]},
}
OPERATOR = Role(
    "operator", reads=frozenset({"customers"}), actions=frozenset({Action.MANAGE_ACCESS})
)


NAMED: dict[str, Any] = {
    "type": "customer.address.add.v1",
    "message_id": "m-3",
    "customer_id": "c-7",
    "addresses": [{"city": "Graz"}],
}
REFUSED = "value is not a valid email: email='ivo@example.com'"


class Log:
    def __init__(self) -> None:
        self.reads: list[dict[str, set[str]]] = []

    async def record_reads(self, reads: Mapping[str, Iterable[str]]) -> None:
        self.reads.append({k: set(v) for k, v in reads.items()})


class Queues:
    def __init__(self) -> None:
        self.parked_messages = [
            Parked("m-1", "job-1", "customer.import.v1", "extra.tier: no", {}, json.dumps(BODY)),
            Parked("m-2", "job-2", None, "not JSON", {}, "Ivo's raw text"),
            Parked("m-3", None, NAMED["type"], REFUSED, {}, json.dumps(NAMED)),
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
    whole = await dead_letters.get(caller("admin"), "customer", "m-1", Log())
    assert whole.body == BODY
    assert not whole.redacted
    cut = await dead_letters.get(caller("operator"), "customer", "m-1", Log())
    assert cut.redacted
    assert cut.reason == "extra.tier: no"
    assert isinstance(cut.body, dict)
    assert cut.body["record"] == HIDDEN
    assert cut.body["actor"] == BODY["actor"]
    text = await dead_letters.get(caller("operator"), "customer", "m-2", Log())
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


async def test_a_message_read_whole_is_on_the_access_log_against_its_customer() -> None:
    dead_letters = DeadLetters(Queues())
    log = Log()
    await dead_letters.get(caller("admin"), "customer", "m-3", log)
    assert log.reads == [{"c-7": {"addresses"}}]


async def test_a_message_naming_no_customer_is_recorded_against_itself() -> None:
    dead_letters = DeadLetters(Queues())
    log = Log()
    await dead_letters.get(caller("admin"), "customer", "m-1", log)
    assert log.reads == [{"dead-letter:customer:m-1": {"identity", "contact"}}]
    await dead_letters.get(caller("admin"), "customer", "m-2", log)
    assert log.reads[1] == {"dead-letter:customer:m-2": set(PERSONAL_GROUPS)}


async def test_a_message_shown_cut_is_no_read() -> None:
    dead_letters = DeadLetters(Queues())
    log = Log()
    await dead_letters.get(caller("operator"), "customer", "m-3", log)
    assert log.reads == []


async def test_reasons_are_redacted_in_the_list_and_whole_only_to_who_reads_the_message() -> None:
    dead_letters = DeadLetters(Queues())
    for who in ("admin", "operator"):
        listed = await dead_letters.list(caller(who), "customer")
        reason = next(m.reason for m in listed.items if m.message_id == "m-3")
        assert reason is not None
        assert "ivo@example.com" not in reason
        assert REDACTED in reason
    cut = await dead_letters.get(caller("operator"), "customer", "m-3", Log())
    assert cut.reason is not None
    assert "ivo@example.com" not in cut.reason
    whole = await dead_letters.get(caller("admin"), "customer", "m-3", Log())
    assert whole.reason == REFUSED
