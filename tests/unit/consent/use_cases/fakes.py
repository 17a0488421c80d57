"""In-memory stores for the consent use cases, and the use cases wired to them.

Each fake keeps plain dicts; `FakeUnitOfWork` runs a change like the real one (once per message,
events published only after it succeeded) and rolls every store back when the change raises, as
the aborted transaction would.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, urlsplit

from services.consent.domain.ledger import LedgerEntry
from services.consent.domain.purposes import DEFAULT_PURPOSES, PurposeDefinition
from services.consent.domain.report import StateCount
from services.consent.domain.rules import Folded
from services.consent.domain.scopes import Scope
from services.consent.domain.tokens import DoubleOptInRequest, unseal
from services.consent.use_cases import UseCases
from services.consent.use_cases.customers import Customers
from services.consent.use_cases.decisions import Decisions, views
from services.consent.use_cases.double_opt_in import DoubleOptIn, DoubleOptInKeys
from services.consent.use_cases.erasure import Erasure
from services.consent.use_cases.merges import Merges
from services.consent.use_cases.purposes import PurposeManagement
from services.consent.use_cases.queries import Queries
from services.consent.use_cases.recording import Recorder
from shared.contracts.consent import ConsentState, ConsentView, DoubleOptInRequested
from shared.contracts.customers import CustomerRef, CustomerStatus
from shared.contracts.envelope import Message
from shared.mongo import Document, Session
from shared.unit_of_work import ChangeRunner, Outcome, Together

R = TypeVar("R")
# The fakes need no session; the use cases only pass it on.
SESSION = cast("Session", object())
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
KEYS = DoubleOptInKeys(
    token_secret=b"token secret",
    mailer_secret=b"mailer secret",
    confirm_url="https://shop.example/v1/consents/confirm",
    lifetime=timedelta(hours=48),
)
PSEUDONYM_KEY = b"pseudonym key"


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeLedger:
    def __init__(self) -> None:
        self.by_id: dict[str, LedgerEntry] = {}

    async def entries(self, customer_id: str, *, session: object = None) -> list[LedgerEntry]:
        return sorted(
            (e for e in self.by_id.values() if e.customer_id == customer_id), key=lambda e: e.seq
        )

    async def entries_of(
        self, customer_ids: Sequence[str], *, session: object
    ) -> list[LedgerEntry]:
        return [e for e in self.by_id.values() if e.customer_id in customer_ids]

    async def entry(self, entry_id: str, *, session: object = None) -> LedgerEntry | None:
        return self.by_id.get(entry_id)

    async def entry_of_message(
        self, message_id: str, *, session: object = None
    ) -> LedgerEntry | None:
        return next((e for e in self.by_id.values() if e.message_id == message_id), None)

    async def page(
        self, customer_id: str, *, purpose: str | None, before_seq: int | None, limit: int
    ) -> list[LedgerEntry]:
        newest_first = reversed(await self.entries(customer_id))
        return [
            e
            for e in newest_first
            if (purpose is None or e.purpose == purpose)
            and (before_seq is None or e.seq < before_seq)
        ][:limit]

    async def append(self, entry: LedgerEntry, *, session: object) -> None:
        taken = {(e.customer_id, e.seq) for e in self.by_id.values()}
        assert entry.id not in self.by_id, "an entry id is unique"
        assert (entry.customer_id, entry.seq) not in taken, "a ledger position is unique"
        self.by_id[entry.id] = entry

    async def append_many(self, entries: Sequence[LedgerEntry], *, session: object) -> None:
        for entry in entries:
            await self.append(entry, session=session)

    async def pseudonymise(self, entry: LedgerEntry, *, session: object) -> None:
        if self.by_id[entry.id].pseudonymised_at is None:
            self.by_id[entry.id] = entry


class FakeStates:
    def __init__(self) -> None:
        # customer id -> scope -> (state, the all-channels state it replaces)
        self.by_customer: dict[str, dict[Scope, tuple[Folded, Folded | None]]] = {}

    async def save(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: object
    ) -> None:
        mine = self.by_customer.setdefault(customer_id, {})
        for scope, folded in states.items():
            mine[scope] = (folded, states.get(Scope(scope.purpose)) if scope.channel else None)

    async def save_many(
        self, saves: Sequence[tuple[str, Mapping[Scope, Folded]]], *, session: object
    ) -> None:
        for customer_id, states in saves:
            await self.save(customer_id, states, session=session)

    async def replace(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: object
    ) -> None:
        self.by_customer.pop(customer_id, None)
        await self.save(customer_id, states, session=session)

    async def forget(self, customer_ids: Iterable[str], *, session: object) -> None:
        for customer_id in customer_ids:
            self.by_customer.pop(customer_id, None)

    async def of_customer(self, customer_id: str) -> list[ConsentView]:
        mine = self.by_customer.get(customer_id, {})
        return sorted(
            views({scope: folded for scope, (folded, _) in mine.items()}),
            key=lambda v: (v.purpose, v.channel or ""),
        )

    async def counts(self, *, purpose: str | None) -> list[StateCount]:
        counted: Counter[tuple[str, str | None, ConsentState, ConsentState | None]] = Counter()
        for mine in self.by_customer.values():
            for scope, (folded, inherited) in mine.items():
                if purpose is None or scope.purpose == purpose:
                    state_there = inherited.state if inherited else None
                    counted[(scope.purpose, scope.channel, folded.state, state_there)] += 1
        return [
            StateCount(purpose=p, channel=c, state=s, inherited=i, count=n)
            for (p, c, s, i), n in counted.items()
        ]


class FakeDirectory:
    def __init__(self) -> None:
        self.by_id: dict[str, CustomerRef] = {}
        self.master_by_absorbed: dict[str, str] = {}

    async def apply(self, ref: CustomerRef) -> bool:
        known = self.by_id.get(ref.customer_id)
        if known is not None and known.version >= ref.version:
            return False
        self.by_id[ref.customer_id] = ref
        return True

    async def apply_many(self, refs: Iterable[CustomerRef]) -> None:
        for ref in refs:
            await self.apply(ref)

    async def get(self, customer_id: str) -> CustomerRef | None:
        return self.by_id.get(customer_id)

    async def get_many(self, customer_ids: Iterable[str]) -> dict[str, CustomerRef]:
        return {c: self.by_id[c] for c in customer_ids if c in self.by_id}

    async def masters_of(self, customer_ids: Iterable[str]) -> dict[str, str]:
        found = {}
        for customer_id in customer_ids:
            master = customer_id
            while master in self.master_by_absorbed:
                master = self.master_by_absorbed[master]
            found[customer_id] = master
        return found

    async def absorbed_into(self, master_id: str, *, session: object) -> list[str]:
        found: list[str] = []
        frontier = [master_id]
        while frontier:
            frontier = [a for a, m in self.master_by_absorbed.items() if m in frontier]
            found += frontier
        return found

    async def remember_merge(
        self, absorbed_ids: Iterable[str], master_id: str, *, session: object
    ) -> None:
        absorbed = list(absorbed_ids)
        self.master_by_absorbed |= dict.fromkeys(absorbed, master_id)
        self._change(absorbed, status=CustomerStatus.MERGED)

    async def forget(self, customer_ids: Iterable[str], *, session: object) -> None:
        self._change(
            customer_ids, status=CustomerStatus.ERASED, primary_email=None, display_name=None
        )

    async def count_active(self) -> int:
        return sum(r.status == CustomerStatus.ACTIVE for r in self.by_id.values())

    def _change(self, customer_ids: Iterable[str], **fields: Any) -> None:
        for customer_id in customer_ids:
            if customer_id in self.by_id:
                self.by_id[customer_id] = self.by_id[customer_id].model_copy(update=fields)


class FakeTokens:
    def __init__(self) -> None:
        self.by_digest: dict[str, DoubleOptInRequest] = {}

    async def add(self, request: DoubleOptInRequest, *, session: object) -> None:
        assert request.digest not in self.by_digest
        self.by_digest[request.digest] = request

    async def get(self, digest: str, *, session: object) -> DoubleOptInRequest | None:
        return self.by_digest.get(digest)

    async def of_request(self, request_id: str, *, session: object) -> DoubleOptInRequest | None:
        return next((r for r in self.by_digest.values() if r.request_id == request_id), None)

    async def use(self, digest: str, *, by: str, at: datetime, session: object) -> bool:
        request = self.by_digest.get(digest)
        if request is None or request.used_at is not None:
            return False
        self.by_digest[digest] = request.model_copy(update={"used_at": at, "used_by": by})
        return True

    async def forget(self, customer_ids: Iterable[str], *, session: object) -> None:
        ids = set(customer_ids)
        self.by_digest = {d: r for d, r in self.by_digest.items() if r.customer_id not in ids}


class FakePurposes:
    def __init__(self) -> None:
        self.by_key = {p.key: p for p in DEFAULT_PURPOSES}

    async def get(self, key: str, *, session: object = None) -> PurposeDefinition | None:
        return self.by_key.get(key)

    async def all(self, *, active_only: bool = False) -> list[PurposeDefinition]:
        return [p for _, p in sorted(self.by_key.items()) if p.active or not active_only]

    async def add(self, purpose: PurposeDefinition, *, session: object = None) -> None:
        assert purpose.key not in self.by_key, "a purpose key is unique"
        self.by_key[purpose.key] = purpose

    async def update(self, purpose: PurposeDefinition, *, session: object) -> None:
        self.by_key[purpose.key] = purpose


@dataclass
class FakeUnitOfWork:
    stores: list[object]
    processed: dict[str, Document] = field(default_factory=dict)
    # What the outbox holds (and the relay published).
    outbox: list[Message] = field(default_factory=list)
    # The size of each batch run together.
    batches: list[int] = field(default_factory=list)

    async def run(
        self,
        message: Message,
        change: Callable[[Session], Awaitable[Outcome[R]]],
        *,
        repeated: Callable[[Document, Session], Awaitable[R]],
    ) -> R:
        earlier = self.processed.get(message.message_id)
        if earlier is not None:
            return await repeated(earlier, SESSION)
        before = [copy.deepcopy(vars(store)) for store in self.stores]
        try:
            outcome = await change(SESSION)
        except BaseException:
            for store, state in zip(self.stores, before, strict=True):
                vars(store).clear()
                vars(store).update(state)
            raise
        self.processed[message.message_id] = {"_id": message.message_id, "type": message.type}
        self.outbox += outcome.events
        return outcome.result

    async def run_together(
        self, messages: Sequence[Message], body: Callable[[ChangeRunner, Session], Awaitable[R]]
    ) -> R:
        """The batch's changes all kept, or all undone (one transaction)."""
        together = Together(SESSION, dict(self.processed))
        before = [copy.deepcopy(vars(store)) for store in self.stores]
        try:
            result = await body(together, SESSION)
        except BaseException:
            for store, state in zip(self.stores, before, strict=True):
                vars(store).clear()
                vars(store).update(state)
            raise
        for message, _ in together.processed:
            self.processed[message.message_id] = {"_id": message.message_id, "type": message.type}
        self.outbox += together.events
        self.batches.append(len(messages))
        return result


@dataclass
class FakeStoredEvents:
    unit: FakeUnitOfWork

    async def forget(self, customer_ids: Iterable[str], *, session: object) -> None:
        ids = set(customer_ids)
        self.unit.outbox = [
            m for m in self.unit.outbox if getattr(m, "customer_id", None) not in ids
        ]


@dataclass
class Consent:
    """The consent use cases on in-memory stores, wired as main.assemble wires the real ones."""

    clock: Clock = field(default_factory=Clock)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    states: FakeStates = field(default_factory=FakeStates)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    tokens: FakeTokens = field(default_factory=FakeTokens)
    purposes: FakePurposes = field(default_factory=FakePurposes)

    def __post_init__(self) -> None:
        stores: list[object] = [
            self.ledger,
            self.states,
            self.directory,
            self.tokens,
            self.purposes,
        ]
        self.unit = FakeUnitOfWork(stores)
        customers = Customers(directory=self.directory)
        recorder = Recorder(ledger=self.ledger, states=self.states, clock=self.clock)
        self.cases = UseCases(
            customers=customers,
            decisions=Decisions(
                customers=customers,
                purposes=self.purposes,
                ledger=self.ledger,
                states=self.states,
                recorder=recorder,
                unit=self.unit,
                clock=self.clock,
            ),
            double_opt_in=DoubleOptIn(
                tokens=self.tokens,
                purposes=self.purposes,
                customers=customers,
                recorder=recorder,
                unit=self.unit,
                keys=KEYS,
                clock=self.clock,
            ),
            merges=Merges(
                customers=customers,
                directory=self.directory,
                ledger=self.ledger,
                states=self.states,
                recorder=recorder,
                unit=self.unit,
            ),
            erasure=Erasure(
                customers=customers,
                directory=self.directory,
                ledger=self.ledger,
                states=self.states,
                tokens=self.tokens,
                stored_events=FakeStoredEvents(self.unit),
                unit=self.unit,
                pseudonym_key=PSEUDONYM_KEY,
                clock=self.clock,
            ),
            purposes=PurposeManagement(purposes=self.purposes, unit=self.unit),
            queries=Queries(
                customers=customers,
                directory=self.directory,
                ledger=self.ledger,
                states=self.states,
                purposes=self.purposes,
                clock=self.clock,
            ),
        )

    async def knows(
        self,
        customer_id: str,
        email: str | None = None,
        *,
        version: int = 1,
        status: CustomerStatus = CustomerStatus.ACTIVE,
    ) -> CustomerRef:
        """The directory learns of a customer, as from their CustomerCreated."""
        ref = customer(customer_id, email, version=version, status=status)
        await self.cases.customers.learn(ref)
        return ref

    def published(self, message_type: type[Message]) -> list[Any]:
        return [m for m in self.unit.outbox if isinstance(m, message_type)]

    def mailed_token(self) -> str:
        """The token of the last double opt-in mail, as the mailer finds it in the sealed link."""
        mail = self.published(DoubleOptInRequested)[-1]
        link = unseal(KEYS.mailer_secret, mail.sealed_confirm_url)
        assert link.startswith(KEYS.confirm_url + "?token=")
        return parse_qs(urlsplit(link).query)["token"][0]


def customer(
    customer_id: str,
    email: str | None = None,
    *,
    version: int = 1,
    status: CustomerStatus = CustomerStatus.ACTIVE,
) -> CustomerRef:
    return CustomerRef(
        customer_id=customer_id,
        customer_number=10001,
        version=version,
        status=status,
        primary_email=email or f"{customer_id}@example.com",
    )
