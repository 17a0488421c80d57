"""Sending over SMTP with aiosmtplib: plain, STARTTLS or implicit TLS, as configured.

Failures are sorted by what a later try can change: an unreachable server or a 4xx answer
("try again later") is tried again with back-off, here and then through the retry queue; a 5xx
refusal of the recipient parks the event with the server's words; any other 5xx is a refusal of
the mail that would repeat.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import aiosmtplib
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.mailer.domain.mails import Mail
from services.mailer.settings import MailerSettings
from services.mailer.use_cases.ports import AddressRefused, MailNotSent, MailRefused

log = logging.getLogger(__name__)


class SmtpSender:
    def __init__(self, settings: MailerSettings) -> None:
        self._settings = settings
        self._domain = parseaddr(settings.sender)[1].rpartition("@")[2]

    async def send(self, mail: Mail) -> None:
        message = self.message(mail)
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self._settings.smtp_attempts),
            wait=wait_exponential(multiplier=self._settings.smtp_backoff_s, max=30),
            retry=retry_if_exception_type(MailNotSent),
            reraise=True,
        ):
            with attempt:
                await self._send_once(message)

    def message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._settings.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(usegmt=True)
        # Derived from the event: a copy of the same mail is recognisable as one.
        message["Message-ID"] = f"<{mail.event_id}@{self._domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        # After the content: setting it clears every Content-* header.
        message["Content-Language"] = mail.language
        return message

    async def _send_once(self, message: EmailMessage) -> None:
        s = self._settings
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",
                timeout=s.smtp_timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            refusals = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
            if all(r.code >= 500 for r in error.recipients):
                raise AddressRefused(f"the address was refused: {refusals}") from error
            raise MailNotSent(f"the address was deferred: {refusals}") from error
        except aiosmtplib.SMTPResponseException as error:
            if error.code >= 500:
                raise MailRefused(f"the SMTP server refused the mail: {error}") from error
            raise MailNotSent(f"the SMTP server deferred the mail: {error}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            log.info("SMTP server %s:%d not reachable: %s", s.smtp_host, s.smtp_port, error)
            raise MailNotSent(f"the SMTP server is not reachable: {error}") from error
