"""The double opt-in mail: the confirmation link, in the person's language."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from services.mailer.domain.links import LinkNotReadable, in_language, unseal
from services.mailer.domain.mails import Mail, language_for
from services.mailer.use_cases.ports import CustomerGone, Customers, Templates
from services.mailer.use_cases.sending import SendOnce
from shared.contracts.consent import DoubleOptInRequested
from shared.dispatch import PermanentFailure

log = logging.getLogger(__name__)
KIND = "double_opt_in"


class UnreadableLink(PermanentFailure):
    pass


@dataclass
class DoubleOptInMails:
    once: SendOnce
    templates: Templates
    customers: Customers
    link_secret: bytes
    default_language: str

    async def send(self, event: DoubleOptInRequested) -> bool:
        async def write() -> Mail | None:
            try:
                link = unseal(self.link_secret, event.sealed_confirm_url)
            except LinkNotReadable as error:
                raise UnreadableLink(str(error)) from error
            try:
                known = await self.customers.language_of(event.customer_id)
            except CustomerGone:
                log.info("no double opt-in mail: customer %s was erased", event.customer_id)
                return None
            language = language_for(known, self.templates.languages(KIND), self.default_language)
            subject, text, html = self.templates.render(
                KIND,
                language,
                {
                    "link": in_language(link, language),
                    "purpose": event.purpose,
                    "channel": event.channel,
                    "text": event.text,
                    "expires_at": event.expires_at,
                },
            )
            return Mail(event.message_id, event.email, language, subject, text, html)

        return await self.once.send(event, write)
