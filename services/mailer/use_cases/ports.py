"""What the mailer's use cases need from the world, and how a mail can fail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from services.mailer.domain.mails import Mail
from shared.contracts.envelope import Message
from shared.dispatch import PermanentFailure
from shared.redelivery import TransientFailure


class MailNotSent(TransientFailure):
    """The SMTP server is unreachable or asked to come back later (4xx): try again later."""


class AddressRefused(PermanentFailure):
    """The receiving server refused the address (5xx on RCPT): the event is parked with it."""


class MailRefused(PermanentFailure):
    """The server refused the mail for good (5xx): sending it again would be refused again."""


class MailBeingSent(TransientFailure):
    """Another delivery of the same event is sending its mail right now: look again later."""


class CustomerGone(Exception):
    """The person was erased after the event was published: nothing is sent to them."""


class Sender(Protocol):
    async def send(self, mail: Mail) -> None: ...


class SentMails(Protocol):
    async def claim(self, event: Message) -> bool:
        """True: this delivery sends the event's mail. False: it was sent before. Raises
        `MailBeingSent` while another delivery holds the claim."""
        ...

    async def release(self, event: Message) -> None:
        """The mail did not go out: the next delivery may try."""
        ...

    async def record(self, event: Message) -> None:
        """The mail went out (or there was nothing to send): never again for this event."""
        ...


class Templates(Protocol):
    def languages(self, kind: str) -> frozenset[str]: ...

    def render(self, kind: str, language: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
        """(subject, plain text, HTML) of the mail `kind` in `language`."""
        ...


class Customers(Protocol):
    async def language_of(self, customer_id: str) -> str | None:
        """The person's language, None where the suite does not know it."""
        ...
