"""Consent endpoints of the public API: current consents, the ledger, decisions, double opt-in,
purposes and consent rates. The consent service decides; these routes translate HTTP.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.gateway.callers import Caller
from services.gateway.services import Services
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

CustomerId = Annotated[str, Path(min_length=1, max_length=64)]
# Whoever opens a confirmation link; the consent service records the ledger entry in the name
# of the customer the link was mailed to.
_LINK_HOLDER = Actor(type=ActorType.CUSTOMER, id="confirmation-link")


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


def consents_router(services: Services) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["consents"])

    @router.get("/customers/{customer_id}/consents", response_model=CustomerConsents)
    async def current_consents(customer_id: CustomerId, caller: Caller) -> Any:
        return await services.ask("consent", GetConsents(customer_id=customer_id, actor=caller))

    @router.get("/customers/{customer_id}/consents/history", response_model=ConsentHistoryPage)
    async def consent_history(
        customer_id: CustomerId,
        caller: Caller,
        purpose: Annotated[Purpose | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=50)] = None,
    ) -> Any:
        return await services.ask(
            "consent",
            GetConsentHistory(
                customer_id=customer_id, purpose=purpose, limit=limit, cursor=cursor, actor=caller
            ),
        )

    @router.post(
        "/customers/{customer_id}/consents",
        response_model=DecisionRecorded,
        status_code=status.HTTP_201_CREATED,
    )
    async def record_decision(customer_id: CustomerId, body: DecisionInput, caller: Caller) -> Any:
        """Record a decision; refused (409) if the consent rules keep it out, nothing recorded."""
        evidence = body.evidence.model_dump(exclude={"decided_at"})
        command = RecordConsent(
            customer_id=customer_id,
            purpose=body.purpose,
            channel=body.channel,
            state=body.state,
            evidence=Evidence(**evidence, decided_at=body.evidence.decided_at or utc_now()),
            actor=caller,
        )
        return await services.ask("consent", command)

    @router.post(
        "/customers/{customer_id}/consents/double-opt-in",
        response_model=DoubleOptInStarted,
        status_code=status.HTTP_202_ACCEPTED,
    )
    async def start_double_opt_in(
        customer_id: CustomerId, body: DoubleOptInInput, caller: Caller
    ) -> Any:
        """Have a confirmation mail sent to the customer; the link in it confirms the consent."""
        return await services.ask(
            "consent",
            RequestDoubleOptIn(customer_id=customer_id, **body.model_dump(), actor=caller),
        )

    @router.get("/consents/confirm", response_model=DoubleOptInConfirmed)
    async def confirm_double_opt_in(
        request: Request,
        token: Annotated[Token, Query()],
        user_agent: Annotated[str | None, Header()] = None,
    ) -> Any:
        """Public: the link of a double opt-in mail. The person holding it is the actor."""
        command = ConfirmDoubleOptIn(
            token=token,
            ip_address=_client_ip(request),
            user_agent=user_agent[:500] if user_agent else None,
            actor=_LINK_HOLDER,
        )
        return await services.ask("consent", command)

    @router.get("/consents/purposes", response_model=PurposeList)
    async def list_purposes(caller: Caller) -> Any:
        return await services.ask("consent", ListPurposes(actor=caller))

    @router.post(
        "/consents/purposes", response_model=PurposeView, status_code=status.HTTP_201_CREATED
    )
    async def define_purpose(body: PurposeInput, caller: Caller) -> Any:
        return await services.ask("consent", DefinePurpose(**body.model_dump(), actor=caller))

    @router.patch("/consents/purposes/{key}", response_model=PurposeView)
    async def change_purpose(
        key: Annotated[Purpose, Path()], body: PurposeChangeInput, caller: Caller
    ) -> Any:
        return await services.ask(
            "consent", ChangePurpose(key=key, **body.model_dump(), actor=caller)
        )

    @router.get("/reports/consents", response_model=ConsentReport)
    async def consent_rates(
        caller: Caller, purpose: Annotated[Purpose | None, Query()] = None
    ) -> Any:
        """Consent rates per purpose, for all channels and per channel."""
        return await services.ask("consent", GetConsentReport(purpose=purpose, actor=caller))

    return router


def _client_ip(request: Request) -> str | None:
    """The clicking client's address, as evidence; None unless it is an IP address."""
    host = request.client.host if request.client else None
    try:
        return str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        return None
