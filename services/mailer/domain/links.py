"""The confirmation link of a double opt-in mail, as the consent service sealed it.

Fernet with the key HKDF-SHA256(shared mailer secret, info "consent double opt-in link"): the
event carrying the link is stored in the consent database and the broker, where only the mailer
may read the link (see `DoubleOptInRequested`).
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALING_INFO = b"consent double opt-in link"


class LinkNotReadable(Exception):
    """The link was sealed with another secret, or altered."""


def unseal(secret: bytes, sealed: str) -> str:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEALING_INFO).derive(secret)
    try:
        return Fernet(base64.urlsafe_b64encode(key)).decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise LinkNotReadable(
            "the confirmation link cannot be opened: the mailer's secret is not the consent "
            "service's CONSENT_MAILER_SECRET"
        ) from error


def in_language(link: str, language: str) -> str:
    """The link with the mail's language (`lang`), so that the page it opens speaks the same
    language as the mail (the consent service does not know the person's language)."""
    parts = urlsplit(link)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("lang", language)])))
