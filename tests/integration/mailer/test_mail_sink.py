"""`make run`'s SMTP sink keeps each mail as a file a developer can open."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from tools.embedded_mongo import free_port
from tools.mail_sink import mail_sink


async def test_each_mail_becomes_an_eml_file(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    message = EmailMessage()
    message["From"] = "no-reply@shop.example"
    message["To"] = "lena.vogel@example.de"
    message["Subject"] = "Bitte bestätigen Sie Ihre Einwilligung"
    message.set_content("Hallo Lena")
    with mail_sink(folder, free_port()) as port:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port, start_tls=False)
    [kept] = list(folder.glob("*.eml"))
    again = email.message_from_bytes(kept.read_bytes(), policy=email.policy.default)
    assert again["Subject"] == "Bitte bestätigen Sie Ihre Einwilligung"
    assert again["To"] == "lena.vogel@example.de"
