"""Recording consent decisions: from messages (imports) and from callers waiting for an answer.

The two paths differ in one thing. A caller of the API learns at once when a decision is
refused, and nothing is recorded: it is told why (the rules, or what is wrong with the input).
A message has nobody to tell: a decision the rules keep out is still recorded, with outcome
`overruled`, because the state is computed from every decision ever received (rules.py), and a
decision kept out now can matter once a decision made before it arrives.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, cast

from services.consent.domain.errors import ErasedCustomer, UnknownCustomer
from services.consent.domain.ledger import rebuild
from services.consent.domain.rules import Decision
from services.consent.domain.validation import check_decision
from services.consent.use_cases.batch_stores import BatchLedger, BatchStates
from services.consent.use_cases.customers import Subject
from shared.contracts.consent import ConsentView, DecisionRecorded, RecordConsent
from shared.contracts.envelope import SYSTEM_ACTOR, Actor, Command
from shared.errors import InvalidInput
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from collections.abc import Sequence

    from services.consent.domain.purposes import PurposeDefinition
    from services.consent.domain.rules import Folded
    from services.consent.domain.scopes import Scope
    from services.consent.use_cases.customers import Customers
    from services.consent.use_cases.ports import Clock, Ledger, Purposes, States, UnitOfWork
    from services.consent.use_cases.recording import Recorder
    from shared.mongo import Document, Session
    from shared.unit_of_work import ChangeRunner


class RebuildStates(Command):
    """Maintenance, from a shell or a test: recompute a customer's states from the ledger.

    Not sent between services; a command so that the rebuild runs as a unit of work like every
    other change (and the inbox tells when it ran, by whom).
    """

    type: Literal["consent.rebuild_states.v1"] = "consent.rebuild_states.v1"
    customer_id: str


# Why a decision from a message is not recorded: its customer is not known here (yet), was
# erased, or its input is invalid.
Refusal = UnknownCustomer | ErasedCustomer | InvalidInput


@dataclass(frozen=True)
class Admitted:
    """A decision from a message that may be recorded: its customer is known, its input valid."""

    command: RecordConsent
    subject: Subject


@dataclass
class Decisions:
    customers: Customers
    purposes: Purposes
    ledger: Ledger
    states: States
    recorder: Recorder
    unit: UnitOfWork
    clock: Clock

    async def record_from_message(self, command: RecordConsent) -> None:
        """A decision that came as a message (e.g. an order's marketing flag)."""
        await self.record_admitted(await self.admit(command))

    async def admit(self, command: RecordConsent) -> Admitted:
        """What is checked of a decision from a message before it is recorded; raises why not
        (its customer is not known yet, or erased; its input is invalid)."""
        (admitted,) = await self.admit_many([command])
        if isinstance(admitted, Admitted):
            return admitted
        raise admitted

    async def admit_many(self, commands: Sequence[RecordConsent]) -> list[Admitted | Refusal]:
        """`admit` for several decisions at once, each admitted or refused on its own: the
        customers they carry learnt in one write, their customers and the purposes read in
        one query each."""
        # A decision's customer travels with it: known here now, whatever the event's progress.
        await self.customers.learn_many(
            c.customer
            for c in commands
            if c.customer is not None and c.customer.customer_id == c.customer_id
        )
        subjects = await self.customers.subjects({c.customer_id for c in commands})
        purposes = {p.key: p for p in await self.purposes.all()}
        found: list[Admitted | Refusal] = []
        for command in commands:
            subject = subjects[command.customer_id]
            if not isinstance(subject, Subject):
                found.append(subject)
                continue
            refusal = self._refusal(command, purposes.get(command.purpose), from_api=False)
            found.append(refusal if refusal is not None else Admitted(command, subject))
        return found

    async def record_many(self, commands: Sequence[RecordConsent]) -> list[Refusal | None]:
        """Decisions from messages (a consumer's micro-batch): admitted or refused each on its
        own, those admitted recorded together; for each, why it was refused, or None."""
        admissions = await self.admit_many(commands)
        admitted = [a for a in admissions if isinstance(a, Admitted)]
        if admitted:
            await self.record_admitted_together(admitted)
        return [None if isinstance(a, Admitted) else a for a in admissions]

    async def record_alone(self, command: RecordConsent) -> Refusal | None:
        """A decision from a message on its own (its batch failed, or there are none)."""
        try:
            admitted = await self.admit(command)
        except (UnknownCustomer, ErasedCustomer, InvalidInput) as refusal:
            return refusal
        await self.record_admitted(admitted)
        return None

    async def record_admitted(self, admitted: Admitted) -> None:
        await self._record(admitted.command, admitted.subject, refuse_overruled=False)

    async def record_admitted_together(self, admitted: Sequence[Admitted]) -> list[None]:
        """Many admitted decisions in one transaction (a consumer's micro-batch), each
        recorded as alone: a later decision for the same customer sees the earlier ones. The
        ledgers are read once ahead and the entries and states written once at the end."""

        async def body(runner: ChangeRunner, session: Session) -> list[None]:
            customer_ids = sorted({a.subject.id for a in admitted})
            ledger = await BatchLedger.read(self.ledger, customer_ids, session=session)
            states = BatchStates(self.states)
            within = replace(
                self,
                unit=cast("UnitOfWork", runner),
                ledger=cast("Ledger", ledger),
                states=cast("States", states),
                recorder=replace(
                    self.recorder, ledger=cast("Ledger", ledger), states=cast("States", states)
                ),
            )
            for one in admitted:
                await within._record(one.command, one.subject, refuse_overruled=False)
                await asyncio.sleep(0)  # the batch answers from memory: let queries through
            await ledger.flush(session=session)
            await states.flush(session=session)
            return [None] * len(admitted)

        return await self.unit.run_together([a.command for a in admitted], body)

    async def record_for_caller(self, command: RecordConsent) -> DecisionRecorded:
        """A decision from the API: recorded, or refused with the reason."""
        subject = await self.customers.subject(command.customer_id)
        refusal = self._refusal(command, await self.purposes.get(command.purpose), from_api=True)
        if refusal is not None:
            raise refusal
        return await self._record(command, subject, refuse_overruled=True)

    async def rebuild_states(
        self, customer_id: str, *, actor: Actor = SYSTEM_ACTOR
    ) -> dict[Scope, Folded]:
        """Recompute the customer's stored consent states from their ledger alone."""

        async def change(session: Session) -> Outcome[dict[Scope, Folded]]:
            states = rebuild(await self.ledger.entries(customer_id, session=session))
            await self.states.replace(customer_id, states, session=session)
            return Outcome(states)

        async def repeated(_: Document, session: Session) -> dict[Scope, Folded]:
            # Only if this very command ran before; each call is a command of its own.
            return rebuild(await self.ledger.entries(customer_id, session=session))

        command = RebuildStates(customer_id=customer_id, actor=actor, occurred_at=self.clock())
        return await self.unit.run(command, change, repeated=repeated)

    def _refusal(
        self, command: RecordConsent, purpose: PurposeDefinition | None, *, from_api: bool
    ) -> InvalidInput | None:
        errors = check_decision(
            state=command.state,
            channel=command.channel,
            evidence=command.evidence,
            purpose_key=command.purpose,
            purpose=purpose,
            now=self.clock(),
            from_api=from_api,
        )
        return InvalidInput(errors, "the consent decision cannot be recorded") if errors else None

    async def _record(
        self, command: RecordConsent, subject: Subject, *, refuse_overruled: bool
    ) -> DecisionRecorded:
        decision = Decision(
            key=command.message_id,
            purpose=command.purpose,
            channel=command.channel,
            state=command.state,
            source=command.evidence.source,
            decided_at=command.evidence.decided_at,
        )

        async def change(session: Session) -> Outcome[DecisionRecorded]:
            recorded = await self.recorder.record(
                session,
                customer_id=subject.id,
                decision=decision,
                evidence=command.evidence,
                actor=command.actor,
                email=subject.email,
                cause=command,
                refuse_overruled=refuse_overruled,
            )
            answer = DecisionRecorded(
                entry=recorded.entry.view(), consents=views(recorded.effect.states)
            )
            return Outcome(answer, recorded.events)

        async def repeated(_: Document, session: Session) -> DecisionRecorded:
            """The answer to a request that was already processed (a retry): the same entry."""
            entry = await self.ledger.entry_of_message(command.message_id, session=session)
            if entry is None:
                raise RuntimeError(f"message {command.message_id} was processed without an entry")
            states = rebuild(await self.ledger.entries(entry.customer_id, session=session))
            of_purpose = {s: f for s, f in states.items() if s.purpose == entry.purpose}
            return DecisionRecorded(entry=entry.view(), consents=views(of_purpose))

        return await self.unit.run(command, change, repeated=repeated)


def views(states: dict[Scope, Folded]) -> tuple[ConsentView, ...]:
    """The states as the API shows them, each with the decision it rests on."""
    return tuple(
        ConsentView(
            purpose=scope.purpose,
            channel=scope.channel,
            state=folded.state,
            decided_at=folded.basis.decided_at if folded.basis else None,
            source=folded.basis.source if folded.basis else None,
            entry_id=folded.basis.key if folded.basis else None,
        )
        for scope, folded in states.items()
    )
