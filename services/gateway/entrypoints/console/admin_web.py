"""What the console's admin screens share: their use cases, and a refusal shown beside the
form's fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.gateway.entrypoints.console.web import form_refusal
from services.gateway.use_cases.console_admin import AdminScreens


async def _admin(request: Request) -> AdminScreens:
    state = request.app.state
    return AdminScreens(state.services, state.ingest, state.dead_letters)


AdminDep = Annotated[AdminScreens, Depends(_admin)]


def refusal_of(error: Exception) -> tuple[dict[str, str], int]:
    """The refusal's messages by form field and its status; anything but a refusal of the
    input is raised again (shown as a problem page)."""
    refused = form_refusal(error)
    if refused is None:
        raise error
    return refused
