"""The ledger and the states as the decisions of one batch see them: read once ahead, written
once at the end.

Every decision reads its customer's ledger and writes an entry and the states it derives. Inside
the batch's transaction the ledgers of all the batch's customers are read in one query, each
decision's reads answered from memory (a later decision for the same customer sees the entries
of the earlier ones), and the entries and states written at the end, one write per collection.
Two batches appending to one ledger (two processes) still collide at the insert, on the
ledger's unique (customer, position): the transaction runs again and reads the winner's entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from services.consent.domain.ledger import LedgerEntry
    from services.consent.domain.rules import Folded
    from services.consent.domain.scopes import Scope
    from services.consent.use_cases.ports import Ledger, States
    from shared.mongo import Session


class BatchLedger:
    def __init__(self, store: Ledger, read: Sequence[LedgerEntry], customer_ids: Sequence[str]):
        self._store = store
        self._ledgers: dict[str, list[LedgerEntry]] = {c: [] for c in customer_ids}
        for entry in sorted(read, key=lambda e: e.seq):
            self._ledgers.setdefault(entry.customer_id, []).append(entry)
        self._appended: list[LedgerEntry] = []

    @classmethod
    async def read(
        cls, store: Ledger, customer_ids: Sequence[str], *, session: Session
    ) -> BatchLedger:
        return cls(store, await store.entries_of(customer_ids, session=session), customer_ids)

    def __getattr__(self, name: str) -> Any:
        # What a decision does not use in a batch goes to the store itself.
        return getattr(self._store, name)

    async def entries(
        self, customer_id: str, *, session: Session | None = None
    ) -> list[LedgerEntry]:
        if customer_id not in self._ledgers:
            self._ledgers[customer_id] = await self._store.entries(customer_id, session=session)
        return list(self._ledgers[customer_id])

    async def entry_of_message(
        self, message_id: str, *, session: Session | None = None
    ) -> LedgerEntry | None:
        # A twin later in the batch is answered with the entry of the first, not yet written.
        for entry in self._appended:
            if entry.message_id == message_id:
                return entry
        return await self._store.entry_of_message(message_id, session=session)

    async def append(self, entry: LedgerEntry, *, session: Session) -> None:
        self._ledgers.setdefault(entry.customer_id, []).append(entry)
        self._appended.append(entry)

    async def flush(self, *, session: Session) -> None:
        await self._store.append_many(self._appended, session=session)
        self._appended = []


class BatchStates:
    def __init__(self, store: States) -> None:
        self._store = store
        self._saved: list[tuple[str, Mapping[Scope, Folded]]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def save(
        self, customer_id: str, states: Mapping[Scope, Folded], *, session: Session
    ) -> None:
        self._saved.append((customer_id, states))

    async def flush(self, *, session: Session) -> None:
        await self._store.save_many(self._saved, session=session)
        self._saved = []
