"""Console consent forms on the customer 360: record a decision with its evidence (what the
person said, to whom), or start a double opt-in (the mailer sends the confirmation link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import RedirectResponse

from services.gateway.domain.roles import FieldGroup
from services.gateway.entrypoints.console.web import (
    PREFIX,
    ConsoleRoute,
    Form,
    ScreensDep,
    SignedInCaller,
    choice,
    given,
)
from services.gateway.entrypoints.dependencies import allowed
from shared.contracts import consent as cs
from shared.contracts.envelope import Id, utc_now

router = APIRouter(prefix=f"{PREFIX}/customers", route_class=ConsoleRoute, include_in_schema=False)
CustomerId = Annotated[Id, Path()]


@router.post("/{customer_id}/consents", dependencies=[allowed(writes=(FieldGroup.CONSENT,))])
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
    await screens.services.ask("consent", record, cs.DecisionRecorded)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#consent", status_code=303)


@router.post(
    "/{customer_id}/consents/double-opt-in",
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
    await screens.services.ask("consent", start, cs.DoubleOptInStarted)
    return RedirectResponse(f"{PREFIX}/customers/{customer_id}#consent", status_code=303)
