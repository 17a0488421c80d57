"""Function-level authorisation (OWASP API5) cannot be forgotten: every route of the API says
what the caller's roles must grant to call it, or is named here as open to every principal."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

from services.gateway.entrypoints import ROUTERS

# The dependencies that refuse a caller whose roles do not grant the route.
GUARDS = {"allowed.<locals>.check", "_manager"}
# Routes without such a dependency, each with the reason.
OPEN_TO_EVERY_PRINCIPAL = {
    # The public double opt-in link (no authentication at all: the token is the proof).
    ("GET", "/v1/consents/confirm"),
    # Field definitions are what every role needs to read the fields it may see; the values
    # are cut by each field's access group.
    ("GET", "/v1/custom-fields"),
    ("GET", "/v1/custom-fields/{key}"),
    # Checked field by field in the handler (`Viewer.require_customer_writes`): a 403 names
    # the first field the caller may not write.
    ("POST", "/v1/customers"),
    ("PATCH", "/v1/customers/{customer_id}"),
}


def checks(dependant: Any) -> list[str]:
    """The qualified names of the callables a route depends on, however deep."""
    names = [getattr(dependant.call, "__qualname__", "")]
    for sub in dependant.dependencies:
        names += checks(sub)
    return names


def routes() -> list[APIRoute]:
    """Every route of the API, as the gateway's routers declare them (with their prefixes)."""
    found = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(found) > 50, "the routers were not found"
    return found


def test_every_route_states_what_the_roles_must_grant() -> None:
    unguarded = {
        (method, route.path)
        for route in routes()
        for method in route.methods or ()
        if not GUARDS & set(checks(route.dependant))
    }
    assert unguarded - OPEN_TO_EVERY_PRINCIPAL == set()
