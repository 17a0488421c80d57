"""Consent endpoints of the public API: current consents, the ledger, decisions, double opt-in,
purposes and consent rates. The consent service decides; these routes translate HTTP.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.dependencies import (
    Caller,
    CustomerId,
    PagesDep,
    ServicesDep,
    Viewer,
    allowed,
)
from services.gateway.use_cases.confirmation import (
    STATUS,
    LinkClick,
    LinkWithoutToken,
    confirm_link,
    page_language,
)
from services.gateway.use_cases.consent_commands import ask_about_customer
from shared.contracts.consent import (
    ChangePurpose,
    Channel,
    ConfirmDoubleOptIn,
    ConsentHistoryPage,
    ConsentReport,
    ConsentSource,
    ConsentState,
    ConsentText,
    CustomerConsents,
    DecisionRecorded,
    DefinePurpose,
    DoubleOptInConfirmed,
    DoubleOptInStarted,
    Evidence,
    GetConsentHistory,
    GetConsentReport,
    GetConsents,
    IpAddress,
    ListPurposes,
    Purpose,
    PurposeDescription,
    PurposeList,
    PurposeTitle,
    PurposeView,
    RecordConsent,
    RequestDoubleOptIn,
    TextVersion,
    Token,
    UserAgent,
)
from shared.contracts.envelope import Actor, ActorType, utc_now
from shared.contracts.replies import FieldError
from shared.errors import InvalidRequest

# Whoever opens a confirmation link; the consent service records the ledger entry in the name
# of the customer the link was mailed to.
_LINK_HOLDER = Actor(type=ActorType.CUSTOMER, id="confirmation-link")
_PAGE = "confirmation"
_TOKEN: TypeAdapter[str] = TypeAdapter(Token)


def _as_token(schema: dict[str, Any]) -> None:
    schema.clear()
    schema.update(_TOKEN.json_schema())


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EvidenceInput(_Input):
    """The evidence of a decision; `decided_at` defaults to the time of the request."""

    source: ConsentSource
    decided_at: AwareDatetime | None = None
    text: ConsentText | None = None
    text_version: TextVersion | None = None
    channel: Channel | None = None
    shop: Annotated[str, Field(max_length=200)] | None = None
    order_id: Annotated[str, Field(max_length=100)] | None = None
    ip_address: IpAddress | None = None
    user_agent: UserAgent | None = None
    reported_level: Annotated[str, Field(max_length=100)] | None = None


class DecisionInput(_Input):
    purpose: Purpose
    channel: Channel | None = None
    state: ConsentState
    evidence: EvidenceInput


class DoubleOptInInput(_Input):
    purpose: Purpose
    channel: Channel | None = None
    text: ConsentText | None = None
    text_version: TextVersion | None = None
    ip_address: IpAddress | None = None
    user_agent: UserAgent | None = None


class PurposeInput(_Input):
    key: Purpose
    title: PurposeTitle
    description: PurposeDescription | None = None


class PurposeChangeInput(_Input):
    title: PurposeTitle | None = None
    description: PurposeDescription | None = None
    active: bool | None = None


router = APIRouter(prefix="/v1", tags=["consents"])
_READ = [allowed(reads=(FieldGroup.CONSENT,))]
_WRITE = [allowed(writes=(FieldGroup.CONSENT,))]


@router.get("/customers/{customer_id}/consents", dependencies=_READ)
async def current_consents(
    customer_id: CustomerId, caller: Caller, services: ServicesDep, viewer: Viewer
) -> CustomerConsents:
    query = GetConsents(customer_id=customer_id, actor=caller)
    consents = await services.ask("consent", query, CustomerConsents)
    await viewer.record(customer_id, FieldGroup.CONSENT)
    return consents


@router.get("/customers/{customer_id}/consents/history", dependencies=_READ)
async def consent_history(
    customer_id: CustomerId,
    caller: Caller,
    services: ServicesDep,
    viewer: Viewer,
    purpose: Annotated[Purpose | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=50)] = None,
) -> ConsentHistoryPage:
    query = GetConsentHistory(
        customer_id=customer_id, purpose=purpose, limit=limit, cursor=cursor, actor=caller
    )
    page = await services.ask("consent", query, ConsentHistoryPage)
    await viewer.record(customer_id, FieldGroup.CONSENT, bool(page.items))
    return page


@router.post(
    "/customers/{customer_id}/consents", status_code=status.HTTP_201_CREATED, dependencies=_WRITE
)
async def record_decision(
    customer_id: CustomerId, body: DecisionInput, caller: Caller, services: ServicesDep
) -> DecisionRecorded:
    """Record a decision; refused (409) if the consent rules keep it out, nothing recorded."""
    evidence = body.evidence.model_dump(exclude={"decided_at"})
    record = RecordConsent(
        customer_id=customer_id,
        purpose=body.purpose,
        channel=body.channel,
        state=body.state,
        evidence=Evidence(**evidence, decided_at=body.evidence.decided_at or utc_now()),
        actor=caller,
    )
    return await ask_about_customer(services, record, DecisionRecorded)


@router.post(
    "/customers/{customer_id}/consents/double-opt-in",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=_WRITE,
)
async def start_double_opt_in(
    customer_id: CustomerId, body: DoubleOptInInput, caller: Caller, services: ServicesDep
) -> DoubleOptInStarted:
    """Have a confirmation mail sent to the customer; the link in it confirms the consent."""
    start = RequestDoubleOptIn(customer_id=customer_id, **body.model_dump(), actor=caller)
    return await ask_about_customer(services, start, DoubleOptInStarted)


@router.get(
    "/consents/confirm",
    response_model=DoubleOptInConfirmed,
    responses={
        status: {"content": {"text/html": {}}, "description": description}
        for status, description in (
            (200, "Confirmed: a page, for a browser"),
            (404, "Unknown link: a page for a browser, a problem otherwise"),
            (409, "Used link: a page for a browser, a problem otherwise"),
            (410, "Expired link: a page for a browser, a problem otherwise"),
            (503, "The consent service is away: a page for a browser, a problem otherwise"),
        )
    },
)
async def confirm_double_opt_in(
    request: Request,
    services: ServicesDep,
    pages: PagesDep,
    # Documented as the contract's `Token`, checked as one on the JSON answer's path; a browser
    # is shown "unknown" for a malformed or missing one (a mail client may cut a link), so only
    # the length a link can have is checked before.
    token: Annotated[str | None, Query(max_length=500, json_schema_extra=_as_token)] = None,
    lang: Annotated[str | None, Query(max_length=35, description="the page's language")] = None,
    user_agent: Annotated[str | None, Header()] = None,
    accept: Annotated[str | None, Header()] = None,
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> Response | DoubleOptInConfirmed:
    """Public: the link of a double opt-in mail; the person holding it is the actor. A browser
    gets a page in the person's language saying confirmed, used, expired or unknown; an app
    (no `text/html` in `Accept`) gets the JSON answer or a problem."""
    click = LinkClick(token, _client_ip(request), user_agent[:500] if user_agent else None)
    if accept and "text/html" in accept:
        outcome, confirmed = await confirm_link(services, click, _LINK_HOLDER)
        language = page_language(lang, accept_language, pages.languages(_PAGE))
        page = pages.render(_PAGE, language, outcome=outcome.value, confirmed=confirmed)
        return HTMLResponse(page, status_code=STATUS[outcome])
    if token is None:
        raise LinkWithoutToken()
    try:
        checked = _TOKEN.validate_python(token)
    except ValidationError as error:
        raise InvalidRequest(
            [FieldError(field="token", message=error.errors()[0]["msg"])]
        ) from None
    confirm = ConfirmDoubleOptIn(
        token=checked, ip_address=click.ip_address, user_agent=click.user_agent, actor=_LINK_HOLDER
    )
    return await services.ask("consent", confirm, DoubleOptInConfirmed)


@router.get("/consents/purposes", dependencies=_READ)
async def list_purposes(caller: Caller, services: ServicesDep) -> PurposeList:
    return await services.ask("consent", ListPurposes(actor=caller), PurposeList)


@router.post("/consents/purposes", status_code=status.HTTP_201_CREATED, dependencies=_WRITE)
async def define_purpose(body: PurposeInput, caller: Caller, services: ServicesDep) -> PurposeView:
    define = DefinePurpose(**body.model_dump(), actor=caller)
    return await services.ask("consent", define, PurposeView)


@router.patch("/consents/purposes/{key}", dependencies=_WRITE)
async def change_purpose(
    key: Annotated[Purpose, Path()],
    body: PurposeChangeInput,
    caller: Caller,
    services: ServicesDep,
) -> PurposeView:
    change = ChangePurpose(key=key, **body.model_dump(), actor=caller)
    return await services.ask("consent", change, PurposeView)


@router.get("/reports/consents", dependencies=[allowed(reads=(FieldGroup.REPORTS,))])
async def consent_rates(
    caller: Caller, services: ServicesDep, purpose: Annotated[Purpose | None, Query()] = None
) -> ConsentReport:
    """Consent rates per purpose, for all channels and per channel."""
    query = GetConsentReport(purpose=purpose, actor=caller)
    return await services.ask("consent", query, ConsentReport)


def _client_ip(request: Request) -> str | None:
    """The clicking client's address, as evidence; None unless it is an IP address."""
    host = request.client.host if request.client else None
    try:
        return str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        return None
