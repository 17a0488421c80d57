"""A mail per event, sent at most once.

The event is claimed before its mail is written (`SentMails.claim`), and marked sent right
after the SMTP server accepted the mail, so a redelivered, replayed or concurrently delivered
copy sends nothing again. An SMTP send cannot join a database transaction: a crash between the
server's acceptance and that mark is the one moment a mail could go out twice (its Message-ID,
derived from the event, lets a mailbox recognise the copy).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.mailer.domain.mails import Mail
from services.mailer.use_cases.ports import Sender, SentMails
from shared.contracts.envelope import Message

log = logging.getLogger(__name__)


@dataclass
class SendOnce:
    sent: SentMails
    sender: Sender

    async def send(self, event: Message, write: Callable[[], Awaitable[Mail | None]]) -> bool:
        """Send the mail `write` makes for `event` unless it went out before; True if sent."""
        if not await self.sent.claim(event):
            log.info("mail for %s %s was sent before", event.type, event.message_id)
            return False
        try:
            mail = await write()
            if mail is not None:
                await self.sender.send(mail)
        except BaseException:
            await self.sent.release(event)
            raise
        await self.sent.record(event)
        if mail is None:
            return False
        log.info("sent the %s mail of %s in %s", event.type, event.message_id, mail.language)
        return True
