"""Console consent forms on the customer 360: record a decision with its evidence (what the
person said, to whom), or start a double opt-in (the mailer sends the confirmation link); and
the consent screen: the purposes consent is asked for, defined, renamed and retired by those
who write consent, as the API allows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    EditsDep,
    Form,
    FormData,
    ScreensDep,
    SignedInCaller,
    choice,
    form_refusal,
    form_values,
    given,
    page,
)
from services.gateway.entrypoints.dependencies import allowed
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.consent_commands import ask_about_customer
from services.gateway.use_cases.console_edits import Edits
from services.gateway.use_cases.ports import Refused
from shared.contracts import consent as cs
from shared.contracts.envelope import Id, utc_now
from shared.errors import DomainError

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
CustomerId = Annotated[Id, Path()]
PURPOSES = f"{PREFIX}/consent"


@router.post(
    "/customers/{customer_id}/consents", dependencies=[allowed(writes=(FieldGroup.CONSENT,))]
)
async def record_decision(
    customer_id: CustomerId, caller: SignedInCaller, screens: ScreensDep, form: Form
) -> RedirectResponse:
    """A supporter records what the person decided; the consent rules may keep it out (409,
    shown with the rule), e.g. a withdrawal only the person lifts."""
    caller.grants.require_writes({"consent": FieldGroup.CONSENT})
    record = cs.RecordConsent(
        customer_id=customer_id,
        purpose=given(form, "purpose") or "",
        channel=given(form, "channel"),
        state=choice(cs.ConsentState, given(form, "state"), "state"),
        evidence=cs.Evidence(
            source=cs.ConsentSource.SUPPORTER,
            decided_at=utc_now(),
            text=given(form, "text"),
        ),
        actor=caller.principal.actor,
    )
    await ask_about_customer(screens.services, record, cs.DecisionRecorded)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#consent", status_code=303)


@router.post(
    "/customers/{customer_id}/consents/double-opt-in",
    dependencies=[allowed(writes=(FieldGroup.CONSENT,))],
)
async def start_double_opt_in(
    customer_id: CustomerId, caller: SignedInCaller, screens: ScreensDep, form: Form
) -> RedirectResponse:
    caller.grants.require_writes({"consent": FieldGroup.CONSENT})
    start = cs.RequestDoubleOptIn(
        customer_id=customer_id,
        purpose=given(form, "purpose") or "",
        channel=given(form, "channel"),
        text_version=given(form, "text_version"),
        actor=caller.principal.actor,
    )
    await ask_about_customer(screens.services, start, cs.DoubleOptInStarted)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#consent", status_code=303)


async def _purposes_page(
    request: Request,
    caller: Caller,
    edits: Edits,
    *,
    form: str | None = None,
    values: FormData | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "consent.html",
        status_code=status_code,
        purposes=await edits.purposes(caller),
        form=form,
        values=form_values(values),
        errors=errors or {},
    )


@router.get("/consent", dependencies=[allowed(reads=(FieldGroup.CONSENT,))])
async def purposes(request: Request, caller: SignedInCaller, edits: EditsDep) -> HTMLResponse:
    """The purposes consent is asked for, active and retired."""
    return await _purposes_page(request, caller, edits)


@router.post("/consent/purposes", dependencies=[allowed(writes=(FieldGroup.CONSENT,))])
async def define_purpose(
    request: Request, caller: SignedInCaller, edits: EditsDep, form: Form
) -> Response:
    return await _send_purpose(request, caller, edits, form, "new")


@router.post("/consent/purposes/{key}", dependencies=[allowed(writes=(FieldGroup.CONSENT,))])
async def change_purpose(
    request: Request,
    key: Annotated[str, Path(max_length=40)],
    caller: SignedInCaller,
    edits: EditsDep,
    form: Form,
) -> Response:
    """Renamed, described, retired (`active` false: no new opt-ins, the ledger stays) or
    brought back."""
    return await _send_purpose(request, caller, edits, form, key)


async def _send_purpose(
    request: Request, caller: Caller, edits: Edits, form: FormData, key: str
) -> Response:
    caller.grants.require_writes({"consent": FieldGroup.CONSENT})
    actor, active = caller.principal.actor, given(form, "active")
    try:
        if key == "new":
            define = cs.DefinePurpose(
                key=given(form, "key") or "",
                title=given(form, "title") or "",
                description=given(form, "description"),
                actor=actor,
            )
            await edits.services.ask("consent", define, cs.PurposeView)
        else:
            change = cs.ChangePurpose(
                key=key,
                title=given(form, "title"),
                description=given(form, "description"),
                active=None if active is None else active == "true",
                actor=actor,
            )
            await edits.services.ask("consent", change, cs.PurposeView)
    except (Refused, DomainError, ValidationError) as error:
        refused = form_refusal(error, frozenset({403, 409, 422}))
        if refused is None:
            raise
        fields, status = refused
        return await _purposes_page(
            request,
            caller,
            edits,
            form=key,
            values=form,
            errors=fields,
            status_code=status,
        )
    return RedirectResponse(PURPOSES, status_code=303)
