"""Double opt-in: a mail with a single-use link, and the click that confirms the consent.

Requesting stores the token's hash and, in the same unit of work, the event a mailer acts on
(with the link sealed for the mailer, see `DoubleOptInRequested`). Confirming uses the token up
and records the double opt-in in the ledger in one unit of work, so a token confirms once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from services.consent.domain.errors import ExpiredToken, UnknownToken, UsedToken
from services.consent.domain.rules import Decision
from services.consent.domain.tokens import (
    DoubleOptInRequest,
    TokenState,
    confirm_url,
    masked_email,
    new_token,
    seal,
    token_digest,
)
from services.consent.domain.validation import check_channel, check_ip_address, check_purpose
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
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.consent.use_cases.customers import Customers, Subject
    from services.consent.use_cases.ports import Clock, Purposes, Tokens, UnitOfWork
    from services.consent.use_cases.recording import Recorder
    from shared.mongo import Document, Session


@dataclass(frozen=True)
class DoubleOptInKeys:
    token_secret: bytes
    mailer_secret: bytes
    confirm_url: str
    lifetime: timedelta


@dataclass
class DoubleOptIn:
    tokens: Tokens
    purposes: Purposes
    customers: Customers
    recorder: Recorder
    unit: UnitOfWork
    keys: DoubleOptInKeys
    clock: Clock

    async def request(self, command: RequestDoubleOptIn) -> DoubleOptInStarted:
        subject = await self.customers.subject(command.customer_id)
        email = await self._address_to_ask(command, subject)

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
                occurred_at=now,
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

        async def repeated(_: Document, session: Session) -> DoubleOptInStarted:
            earlier = await self.tokens.of_request(command.message_id, session=session)
            assert earlier is not None, "a processed request stored its token"
            return _started(earlier)

        return await self.unit.run(command, change, repeated=repeated)

    async def confirm(self, command: ConfirmDoubleOptIn) -> DoubleOptInConfirmed:
        digest = token_digest(self.keys.token_secret, command.token)

        async def change(session: Session) -> Outcome[DoubleOptInConfirmed]:
            request = await self.tokens.get(digest, session=session)
            if request is None:
                raise UnknownToken()
            now = self.clock()
            match request.token_state(now):
                case TokenState.USED:
                    raise UsedToken()
                case TokenState.EXPIRED:
                    raise ExpiredToken()
            if not await self.tokens.use(digest, by=command.message_id, at=now, session=session):
                raise UsedToken()
            subject = await self.customers.subject(request.customer_id)
            recorded = await self.recorder.record(
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
                evidence=Evidence(
                    source=ConsentSource.DOUBLE_OPT_IN,
                    decided_at=now,
                    text=request.text,
                    text_version=request.text_version,
                    channel=request.channel,
                    ip_address=command.ip_address,
                    user_agent=command.user_agent,
                ),
                # The person themselves: they hold the link that was mailed to them.
                actor=Actor(type=ActorType.CUSTOMER, id=subject.id),
                email=request.email,
                cause=command,
                requested_at=request.requested_at,
            )
            return Outcome(_confirmed(request, now), recorded.events)

        async def repeated(_: Document, session: Session) -> DoubleOptInConfirmed:
            """This very confirmation was processed already (a retry): the same answer."""
            request = await self.tokens.get(digest, session=session)
            if request is None or request.used_at is None:
                raise UnknownToken()  # erased since
            return _confirmed(request, request.used_at)

        return await self.unit.run(command, change, repeated=repeated)

    async def _address_to_ask(self, command: RequestDoubleOptIn, subject: Subject) -> str:
        """The address the mail goes to; InvalidInput naming every field that prevents it."""
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
        if errors or subject.email is None:
            raise InvalidInput(errors, "double opt-in cannot be started")
        return subject.email


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
