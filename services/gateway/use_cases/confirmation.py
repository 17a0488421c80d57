"""The click on a double opt-in link by a person in a browser: confirm it, and tell which page
they see. The consent service decides; a refusal becomes an outcome a person understands."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import TypeAdapter, ValidationError

from services.gateway.use_cases.ports import Refused, Services
from shared.contracts.consent import ConfirmDoubleOptIn, DoubleOptInConfirmed, Token
from shared.contracts.envelope import Actor
from shared.contracts.replies import FieldError
from shared.errors import NotFound
from shared.rpc import ServiceUnavailable

_TOKEN: TypeAdapter[str] = TypeAdapter(Token)


class LinkOutcome(StrEnum):
    CONFIRMED = "confirmed"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    # The consent service did not answer: nothing changed, the link still works later.
    UNAVAILABLE = "unavailable"


# What the page answers with, so that a client (or a link checker) sees the outcome too.
STATUS = {
    LinkOutcome.CONFIRMED: 200,
    LinkOutcome.USED: 409,
    LinkOutcome.EXPIRED: 410,
    LinkOutcome.UNKNOWN: 404,
    LinkOutcome.UNAVAILABLE: 503,
}


class LinkWithoutToken(NotFound):
    """A link without its token was issued by nobody: as the consent service answers a token
    it never issued."""

    kind, title = "consent-token-unknown", "Confirmation link unknown"

    def __init__(self) -> None:
        super().__init__("Confirmation link", "this link has no token")
        self.errors = (FieldError(field="token", message=self.detail),)


@dataclass(frozen=True)
class LinkClick:
    token: str | None
    ip_address: str | None
    user_agent: str | None


async def confirm_link(
    services: Services, click: LinkClick, holder: Actor
) -> tuple[LinkOutcome, DoubleOptInConfirmed | None]:
    """A malformed or missing token is a link nobody issued: unknown, not an error page."""
    try:
        token = _TOKEN.validate_python(click.token)
    except ValidationError:
        return LinkOutcome.UNKNOWN, None
    confirm = ConfirmDoubleOptIn(
        token=token, ip_address=click.ip_address, user_agent=click.user_agent, actor=holder
    )
    try:
        return LinkOutcome.CONFIRMED, await services.ask("consent", confirm, DoubleOptInConfirmed)
    except Refused as refused:
        return _outcome_of(refused), None
    except ServiceUnavailable:
        return LinkOutcome.UNAVAILABLE, None


def _outcome_of(refused: Refused) -> LinkOutcome:
    # The consent service's kinds: consent-token-used (409), -expired (410), -unknown (404);
    # a customer erased since the mail (410) is as good as an expired link.
    status = refused.problem.status
    if status == 409:
        return LinkOutcome.USED
    if status == 410:
        return LinkOutcome.EXPIRED
    if status == 404:
        return LinkOutcome.UNKNOWN
    raise refused


def page_language(requested: str | None, accept_language: str | None, known: frozenset[str]) -> str:
    """The link's own `lang` (the mailer writes the mail's language into it), else the
    browser's most preferred known language (`Accept-Language`), else English."""
    if requested is not None and requested in known:
        return requested
    preferred: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in known and quality > 0:
            preferred.append((-quality, index, primary))
    return min(preferred)[2] if preferred else "en"
