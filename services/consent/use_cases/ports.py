"""What the use cases need from the world, as protocols.

adapters/ implements them on MongoDB; the unit tests implement them in memory. A method taking a
`session` runs inside the unit of work's transaction; the others read outside of one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from services.consent.domain.ledger import LedgerEntry
    from services.consent.domain.purposes import PurposeDefinition
    from services.consent.domain.report import StateCount
    from services.consent.domain.rules import Folded
    from services.consent.domain.scopes import Scope
    from services.consent.domain.tokens import DoubleOptInRequest
    from shared.contracts.consent import ConsentView
    from shared.contracts.customers import CustomerRef
    from shared.contracts.envelope import Message
    from shared.mongo import Document, Session
    from shared.unit_of_work import ChangeRunner, Outcome

R = TypeVar("R")
Clock = Callable[[], datetime]


class UnitOfWork(Protocol):
    """shared.unit_of_work.UnitOfWork: a message's change, once, with the events it causes."""

    async def run(
        self,
        message: Message,
        change: Callable[[Session], Awaitable[Outcome[R]]],
        *,
        repeated: Callable[[Document, Session], Awaitable[R]],
    ) -> R: ...

    async def run_together(
        self, messages: Sequence[Message], body: Callable[[ChangeRunner, Session], Awaitable[R]]
    ) -> R:
        """shared.unit_of_work.BatchRunner: many messages' changes in one transaction."""


class Ledger(Protocol):
    async def entries(
        self, customer_id: str, *, session: Session | None = None
    ) -> list[LedgerEntry]: ...

    async def entries_of(
        self, customer_ids: Sequence[str], *, session: Session
    ) -> list[LedgerEntry]: ...

    async def entry(
        self, entry_id: str, *, session: Session | None = None
    ) -> LedgerEntry | None: ...

    async def entry_of_message(
        self, message_id: str, *, session: Session | None = None
    ) -> LedgerEntry | None: ...

    async def page(
        self, customer_id: str, *, purpose: str | None, before_seq: int | None, limit: int
    ) -> list[LedgerEntry]: ...

    async def append(self, entry: LedgerEntry, *, session: Session) -> None: ...

    async def append_many(self, entries: Sequence[LedgerEntry], *, session: Session) -> None:
        """`append` of each, in one write."""

    async def pseudonymise(self, entry: LedgerEntry, *, session: Session) -> None: ...


class States(Protocol):
    """The current state of every scope per customer: derived from the ledger."""

    async def save(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: Session
    ) -> None: ...

    async def save_many(
        self, saves: Sequence[tuple[str, Mapping[Scope, Folded]]], *, session: Session
    ) -> None:
        """`save` of each (customer id, states), in order, in one write."""

    async def replace(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: Session
    ) -> None: ...

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None: ...

    async def of_customer(self, customer_id: str) -> list[ConsentView]: ...

    async def counts(self, *, purpose: str | None) -> list[StateCount]: ...


class Directory(Protocol):
    """The customers this service knows (kept from the customer events), and which of them
    absorbed which."""

    async def apply(self, ref: CustomerRef) -> bool: ...

    async def apply_many(self, refs: Iterable[CustomerRef]) -> None: ...

    async def get(self, customer_id: str) -> CustomerRef | None: ...

    async def get_many(self, customer_ids: Iterable[str]) -> dict[str, CustomerRef]: ...

    async def masters_of(self, customer_ids: Iterable[str]) -> dict[str, str]: ...

    async def absorbed_into(self, master_id: str, *, session: Session) -> list[str]: ...

    async def remember_merge(
        self, absorbed_ids: Iterable[str], master_id: str, *, session: Session
    ) -> None: ...

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None: ...

    async def count_active(self) -> int: ...


class Tokens(Protocol):
    """Double opt-in requests, by their token's digest."""

    async def add(self, request: DoubleOptInRequest, *, session: Session) -> None: ...

    async def get(self, digest: str, *, session: Session) -> DoubleOptInRequest | None: ...

    async def of_request(
        self, request_id: str, *, session: Session
    ) -> DoubleOptInRequest | None: ...

    async def use(self, digest: str, *, by: str, at: datetime, session: Session) -> bool: ...

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None: ...


class Purposes(Protocol):
    async def get(
        self, key: str, *, session: Session | None = None
    ) -> PurposeDefinition | None: ...

    async def all(self, *, active_only: bool = False) -> list[PurposeDefinition]: ...

    async def add(self, purpose: PurposeDefinition, *, session: Session | None = None) -> None: ...

    async def update(self, purpose: PurposeDefinition, *, session: Session) -> None: ...


class StoredEvents(Protocol):
    """Events kept after (or before) publishing them: erasure removes the person's."""

    async def forget(self, customer_ids: Iterable[str], *, session: Session) -> None: ...
