"""Double opt-in: a mail with a single-use link, and the click that confirms the consent.

Requesting stores the token's hash and, in the same transaction, the event a mailer acts on
(with the link sealed for the mailer, see `DoubleOptInRequested`). Confirming uses the token up
and records the double opt-in in the ledger in one transaction, so a token confirms once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from services.consent.customers import CustomerGone, CustomerNotKnown, Customers
from services.consent.domain.rules import Decision
from services.consent.domain.tokens import (
    TokenState,
    confirm_url,
    masked_email,
    new_token,
    seal,
    token_digest,
    token_state,
)
from services.consent.domain.validation import check_channel, check_ip_address, check_purpose
from services.consent.ledger_writer import LedgerWriter, in_ledger_transaction
from services.consent.purpose_store import PurposeStore
from services.consent.token_store import DoubleOptInRequest, TokenStore
from shared.contracts.consent import (
    ConfirmDoubleOptIn,
    ConsentSource,
    ConsentState,
    DoubleOptInConfirmed,
    DoubleOptInRequested,
    DoubleOptInStarted,
    Evidence,
    RequestDoubleOptIn,
)
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.replies import FieldError, Problem, ProblemError, invalid
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from shared.contracts.envelope import Message
    from shared.mongo import Document, Session
    from shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DoubleOptInKeys:
    token_secret: bytes
    mailer_secret: bytes
    confirm_url: str
    lifetime: timedelta


@dataclass
class DoubleOptIn:
    client: AsyncMongoClient[Document]
    tokens: TokenStore
    purposes: PurposeStore
    customers: Customers
    writer: LedgerWriter
    unit: UnitOfWork
    keys: DoubleOptInKeys
    clock: Callable[[], datetime]

    async def request(self, command: RequestDoubleOptIn) -> DoubleOptInStarted:
        try:
            subject = await self.customers.subject(command.customer_id)
        except (CustomerNotKnown, CustomerGone) as error:
            raise ProblemError(error.problem()) from error
        errors = [
            *check_purpose(
                command.purpose,
                await self.purposes.get(command.purpose),
                ConsentState.DOUBLE_OPT_IN,
            ),
            *check_channel(command.channel),
            *check_ip_address(command.ip_address, field="ip_address"),
        ]
        if not (command.text or command.text_version):
            errors.append(
                FieldError(field="text_version", message="say what the person is asked to confirm")
            )
        if subject.email is None:
            errors.append(
                FieldError(field="customer_id", message="the customer has no email address")
            )
        if errors:
            raise ProblemError(invalid("double opt-in cannot be started", tuple(errors)))
        email = subject.email
        assert email is not None

        async def repeated(_: Document, session: Session) -> DoubleOptInStarted:
            earlier = await self.tokens.of_request(command.message_id, session=session)
            assert earlier is not None, "a processed request stored its token"
            return _started(earlier)

        async def change(session: Session) -> Outcome[DoubleOptInStarted]:
            # A fresh token per attempt: only the committed one is ever mailed.
            token = new_token()
            now = self.clock()
            request = DoubleOptInRequest(
                digest=token_digest(self.keys.token_secret, token),
                request_id=command.message_id,
                customer_id=subject.id,
                purpose=command.purpose,
                channel=command.channel,
                email=email,
                text=command.text,
                text_version=command.text_version,
                requested_at=now,
                expires_at=now + self.keys.lifetime,
            )
            await self.tokens.add(request, session=session)
            mail = command.caused(
                DoubleOptInRequested,
                customer_id=subject.id,
                purpose=command.purpose,
                channel=command.channel,
                email=email,
                text=command.text,
                text_version=command.text_version,
                expires_at=request.expires_at,
                sealed_confirm_url=seal(
                    self.keys.mailer_secret, confirm_url(self.keys.confirm_url, token)
                ),
            )
            return Outcome(_started(request), [mail])

        return await self.unit.run(command, change, repeated=repeated)

    async def confirm(self, command: ConfirmDoubleOptIn) -> DoubleOptInConfirmed:
        digest = token_digest(self.keys.token_secret, command.token)

        async def body(session: Session) -> tuple[DoubleOptInConfirmed, list[Message]]:
            request = await self.tokens.get(digest, session=session)
            if request is None:
                raise ProblemError(_token_problem("unknown", 404, "this link is not valid"))
            if request.used_by == command.message_id:
                # This very confirmation was processed already (a retry): same answer.
                assert request.used_at is not None
                return _confirmed(request, request.used_at), []
            now = self.clock()
            match token_state(expires_at=request.expires_at, used_at=request.used_at, now=now):
                case TokenState.USED:
                    raise ProblemError(_token_problem("used", 409, "this link was used already"))
                case TokenState.EXPIRED:
                    raise ProblemError(
                        _token_problem("expired", 410, "this link has expired; request a new mail")
                    )
            if not await self.tokens.use(digest, by=command.message_id, at=now, session=session):
                raise ProblemError(_token_problem("used", 409, "this link was used already"))
            try:
                subject = await self.customers.subject(request.customer_id)
            except (CustomerNotKnown, CustomerGone) as error:
                raise ProblemError(error.problem()) from error
            evidence = Evidence(
                source=ConsentSource.DOUBLE_OPT_IN,
                decided_at=now,
                text=request.text,
                text_version=request.text_version,
                channel=request.channel,
                ip_address=command.ip_address,
                user_agent=command.user_agent,
            )
            written = await self.writer.add(
                session,
                customer_id=subject.id,
                decision=Decision(
                    key=command.message_id,
                    purpose=request.purpose,
                    channel=request.channel,
                    state=ConsentState.DOUBLE_OPT_IN,
                    source=ConsentSource.DOUBLE_OPT_IN,
                    decided_at=now,
                ),
                evidence=evidence,
                # The person themselves: they hold the link that was mailed to them.
                actor=Actor(type=ActorType.CUSTOMER, id=subject.id),
                email=request.email,
                cause=command,
                requested_at=request.requested_at,
            )
            outbox = self.unit.outbox
            return _confirmed(request, now), await outbox.add(written.events, session=session)

        confirmed, events = await in_ledger_transaction(self.client, body)
        await self.unit.outbox.publish_or_defer(events)
        return confirmed


def _started(request: DoubleOptInRequest) -> DoubleOptInStarted:
    return DoubleOptInStarted(
        purpose=request.purpose,
        channel=request.channel,
        sent_to=masked_email(request.email),
        expires_at=request.expires_at,
    )


def _confirmed(request: DoubleOptInRequest, at: datetime) -> DoubleOptInConfirmed:
    return DoubleOptInConfirmed(
        purpose=request.purpose,
        channel=request.channel,
        state=ConsentState.DOUBLE_OPT_IN,
        confirmed_at=at,
    )


def _token_problem(kind: str, status: int, message: str) -> Problem:
    return Problem(
        type=f"urn:problem:consent-token-{kind}",
        title=f"Confirmation link {kind}",
        status=status,
        detail=message,
        errors=(FieldError(field="token", message=message),),
    )
