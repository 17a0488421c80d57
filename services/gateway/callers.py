"""Who is calling: every request acts as someone, recorded in what it changes and reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.contracts.envelope import Actor, ActorType

# Until the gateway authenticates callers (API keys / JWT map to principals with roles), every
# request acts as the API itself.
API_ACTOR = Actor(type=ActorType.API, id="gateway")


async def current_actor() -> Actor:
    return API_ACTOR


Caller = Annotated[Actor, Depends(current_actor)]
