"""The console's use cases with in-memory stores and services: sessions (open, resumed, ended,
refused once the key is revoked), the cut of what a role reads, and a 360 screen gathered from
the parts the caller may read, with a part whose service is down shown as unavailable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from services.gateway.domain.console_sessions import ConsoleSession, code_challenge
from services.gateway.domain.policy import Grants
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.domain.roles import DEFAULT_ROLES
from services.gateway.use_cases.access import Authenticator, Caller, KeyAdmin, Unauthenticated
from services.gateway.use_cases.console_access import ConsoleAccess, PendingSignIn
from services.gateway.use_cases.console_screens import (
    MergedElsewhere,
    Screens,
    Unavailable,
)
from services.gateway.use_cases.ports import Refused
from services.gateway.use_cases.visibility import Visibility
from shared.contracts import consent as cs
from shared.contracts import custom_fields as cf
from shared.contracts import customer_history as h
from shared.contracts import customer_notes as n
from shared.contracts import customer_overview as o
from shared.contracts import customer_reports as r
from shared.contracts import customers as c
from shared.contracts import duplicates as dup
from shared.contracts import tasks as t
from shared.contracts.customer_details import BankAccountView
from shared.contracts.envelope import Actor, ActorType
from shared.rpc import ServiceUnavailable
from tests.unit.gateway.access_fakes import MemoryKeys, MemoryRoles
from tests.unit.gateway.fakes import FakeServices, problem
from tests.unit.gateway.test_authentication import BOOTSTRAP, Clock

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class MemorySessions:
    def __init__(self) -> None:
        self.sessions: dict[str, ConsoleSession] = {}

    async def add(self, session: ConsoleSession) -> None:
        self.sessions[session.id] = session

    async def get(self, session_id: str) -> ConsoleSession | None:
        return self.sessions.get(session_id)

    async def remove(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)


@pytest.fixture
async def console() -> tuple[ConsoleAccess, KeyAdmin, Clock, MemorySessions]:
    keys, roles, clock, sessions = MemoryKeys(), MemoryRoles(), Clock(), MemorySessions()
    await roles.seed(DEFAULT_ROLES)
    authenticator = Authenticator(keys, roles, clock, bootstrap_key=BOOTSTRAP)
    access = ConsoleAccess(authenticator, sessions, timedelta(hours=8))
    return access, KeyAdmin(keys, roles, clock), clock, sessions


async def test_a_session_stands_for_the_key_until_it_ends(console: Any) -> None:
    access, admin, clock, sessions = console
    record, key = await admin.create(name="desk", roles=("supporter",), created_by="t")
    session, token = await access.sign_in(key)
    assert token not in sessions.sessions, "only the token's hash is kept"
    assert key not in repr(session)

    resumed = await access.resume(token)
    assert resumed.caller.principal.id == record.id
    assert resumed.caller.grants.reads_masked("bank")

    clock.now += timedelta(hours=8)
    with pytest.raises(Unauthenticated, match="ended"):
        await access.resume(token)


async def test_a_revoked_key_or_sign_out_ends_the_session(console: Any) -> None:
    access, admin, _, _ = console
    record, key = await admin.create(name="desk", roles=("supporter",), created_by="t")
    session, token = await access.sign_in(key)
    await admin.revoke(record.id)
    with pytest.raises(Unauthenticated, match="revoked"):
        await access.resume(token)

    session, token = await access.sign_in(BOOTSTRAP)
    await access.sign_out(session)
    with pytest.raises(Unauthenticated):
        await access.resume(token)
    with pytest.raises(Unauthenticated):
        await access.sign_in("   ")
    with pytest.raises(Unauthenticated):
        await access.resume(None)


def test_a_form_needs_the_session_token() -> None:
    session = ConsoleSession("h", None, "csrf-1", NOW, NOW)  # type: ignore[arg-type]
    assert session.accepts_form("csrf-1")
    assert not session.accepts_form("csrf-2")
    assert not session.accepts_form(None)


def _caller(*roles: str) -> Caller:
    who = Principal("p", "p", PrincipalKind.KEY, roles)
    return Caller(who, Grants.of(who, DEFAULT_ROLES))


class ShownAsGiven:
    """A viewer that shows what the services answered and notes what the screen recorded."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, str, bool]] = []

    async def customer(self, view: c.CustomerView) -> c.CustomerView:
        return view

    async def customers(self, page: c.CustomerPage) -> c.CustomerPage:
        return page

    async def timeline(
        self, customer_id: str, page: h.ActivityPage, query: h.TimelineSlice
    ) -> h.ActivityPage:
        return page

    async def top_customers(self, report: r.TopCustomersReport) -> r.TopCustomersReport:
        return report

    async def record(self, customer_id: str, group: str, returned: bool = True) -> None:
        self.recorded.append((customer_id, group, returned))


ACTOR = Actor(type=ActorType.API, id="p")
ACCOUNT = BankAccountView(
    id="b1",
    iban_masked="DE89 **** 3000",
    bic="COBADEFFXXX",
    bank_name="Commerzbank",
    country_code="DE",
    holder="Anna S",
    added_at=NOW,
)
ANNA = c.CustomerView(
    id="c1",
    customer_number=10001,
    status=c.CustomerStatus.ACTIVE,
    version=3,
    first_name="Anna",
    emails=(c.EmailView(address="anna@example.com", primary=True),),
    bank_accounts=(ACCOUNT,),
    extra={"vip": True, "salary": 10},
    created_at=NOW,
    updated_at=NOW,
)


PURPOSES = (
    cs.PurposeView(key="newsletter", title="Newsletter", active=True),
    cs.PurposeView(key="surveys", title="Surveys", active=False),
    cs.PurposeView(key="partner_offers", title="Partner offers", active=True),
)


def _overview(q: o.GetCustomerOverview, customer: c.CustomerView = ANNA) -> o.CustomerOverview:
    """The customer service's answer: each part asked for, empty."""
    return o.CustomerOverview(
        customer=customer,
        orders=h.OrderPage(items=()) if q.orders else None,
        notes=n.NotePage(items=()) if q.notes else None,
        timeline=h.ActivityPage(items=()) if q.timeline else None,
        custom_fields=cf.CustomFieldList(items=()) if q.custom_fields else None,
        duplicates=dup.DuplicatePage(items=()) if q.duplicates else None,
    )


def _consent(consents: cs.CustomerConsents | None = None) -> cs.ConsentOverview:
    return cs.ConsentOverview(
        consents=consents or cs.CustomerConsents(customer_id="c1", consents=()),
        history=cs.ConsentHistoryPage(items=()),
        purposes=cs.PurposeList(items=PURPOSES),
    )


def _services(**overrides: Any) -> FakeServices:
    answers: dict[Any, Any] = {
        ("customer", o.GetCustomerOverview): _overview,
        ("tasks", t.GetCustomerTasks): lambda q: t.TaskPage(items=()),
        ("consent", cs.GetConsentOverview): lambda q: _consent(),
    }
    answers.update(overrides)
    return FakeServices(answers)


async def test_the_360_asks_each_service_once_and_only_for_what_the_role_reads() -> None:
    services = _services()
    caller, viewer = _caller("analyst"), ShownAsGiven()
    screen = await Screens(services).customer_360(caller, viewer, "c1", h.TimelineSlice())
    [overview] = services.sent(o.GetCustomerOverview)
    assert (overview.notes, overview.timeline) == (0, None)
    assert overview.custom_fields
    assert services.sent(cs.GetConsentOverview) == []
    assert len(services.asked) == len({type(q) for _, q in services.asked})
    assert screen.notes is None
    assert screen.consents is None
    assert viewer.recorded == [], "nothing personal was shown"


async def test_the_consent_forms_offer_every_active_purpose_not_only_the_decided() -> None:
    services = _services()
    decided = cs.CustomerConsents.model_validate(
        {
            "customer_id": "c1",
            "consents": [
                {"purpose": "surveys", "channel": None, "state": "single_opt_in"},
            ],
        }
    )
    services.answers[("consent", cs.GetConsentOverview)] = lambda q: _consent(decided)
    screen = await Screens(services).customer_360(
        _caller("supporter"), ShownAsGiven(), "c1", h.TimelineSlice()
    )
    assert [p.key for p in screen.active_purposes] == ["newsletter", "partner_offers"]


async def test_a_part_whose_service_is_down_is_shown_unavailable() -> None:
    def down(_: Any) -> Any:
        raise ServiceUnavailable("consent", "no answer")

    services = _services()
    services.answers[("consent", cs.GetConsentOverview)] = down
    caller, viewer = _caller("supporter"), ShownAsGiven()
    screen = await Screens(services).customer_360(
        caller, viewer, "c1", h.TimelineSlice(kinds=(h.ActivityKind.MERGED,))
    )
    assert [g for _, g, _ in viewer.recorded] == ["orders", "notes"]
    assert screen.consents == screen.ledger == screen.purposes == Unavailable("consent")
    assert isinstance(screen.notes, n.NotePage)
    [overview] = services.sent(o.GetCustomerOverview)
    assert overview.timeline is not None
    assert overview.timeline.kinds == (h.ActivityKind.MERGED,)


async def test_a_customer_the_consent_service_does_not_know_yet_still_has_a_page() -> None:
    services = _services()
    services.answers[("consent", cs.GetConsentOverview)] = lambda q: problem(
        404, "Customer not found", "customer c1 is not known to the consent service"
    )
    screen = await Screens(services).customer_360(
        _caller("supporter"), ShownAsGiven(), "c1", h.TimelineSlice()
    )
    assert screen.consents == Unavailable(
        "consent", "customer c1 is not known to the consent service"
    )
    assert screen.customer == ANNA
    # Any other refusal is the page's.
    services.answers[("consent", cs.GetConsentOverview)] = lambda q: problem(400, "Invalid")
    with pytest.raises(Refused):
        await Screens(services).customer_360(
            _caller("supporter"), ShownAsGiven(), "c1", h.TimelineSlice()
        )


async def test_an_unknown_or_merged_customer() -> None:
    services = _services()
    services.answers[("customer", o.GetCustomerOverview)] = lambda q: problem(
        404, "Customer not found"
    )
    caller = _caller("admin")
    screens = Screens(services)
    with pytest.raises(Refused):
        await screens.customer_360(caller, ShownAsGiven(), "c9", h.TimelineSlice())
    merged = ANNA.model_copy(update={"merged_into": "c2", "status": c.CustomerStatus.MERGED})
    services.answers[("customer", o.GetCustomerOverview)] = lambda q: o.CustomerOverview(
        customer=merged
    )
    with pytest.raises(MergedElsewhere) as moved:
        await screens.customer_360(caller, ShownAsGiven(), "c1", h.TimelineSlice())
    assert moved.value.master_id == "c2"


def test_pkce_and_the_pending_sign_in() -> None:
    # RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    pending = PendingSignIn("s", "n", "v")
    assert PendingSignIn.of_cookie(pending.cookie()) == pending
    assert PendingSignIn.of_cookie("s.n") is None
    assert PendingSignIn.of_cookie(None) is None


async def test_sign_in_at_a_provider_needs_one(console: Any) -> None:
    access = console[0]
    with pytest.raises(Unauthenticated, match="no identity provider"):
        await access.start_at_provider()


# Console routes anyone may call: signing in and out, and the way home.
CONSOLE_OPEN = {
    ("GET", "/console"),
    ("GET", "/console/sign-in"),
    ("POST", "/console/sign-in"),
    ("GET", "/console/sign-in/provider"),
    ("GET", "/console/sign-in/callback"),
    ("POST", "/console/sign-out"),
    # Checked field by field in the handler, as the API's PATCH of a customer.
    ("POST", "/console/customers/{customer_id}/profile"),
}


def test_every_console_route_states_what_the_roles_must_grant() -> None:
    from fastapi.routing import APIRoute

    from services.gateway.entrypoints import console as console_pages
    from tests.unit.gateway.test_route_policies import GUARDS, checks

    found = [
        r for router in console_pages.ROUTERS for r in router.routes if isinstance(r, APIRoute)
    ]
    assert len(found) > 15
    unguarded = {
        (method, route.path)
        for route in found
        for method in route.methods or ()
        if not GUARDS & set(checks(route.dependant))
    }
    assert unguarded == CONSOLE_OPEN


class Reads:
    """An access log that keeps what it was asked to record."""

    def __init__(self) -> None:
        self.reads: list[dict[str, set[str]]] = []

    async def record(self, reads: Any) -> None:
        self.reads.append({k: set(v) for k, v in reads.items()})


async def test_top_customers_show_names_only_to_their_readers_and_on_record() -> None:
    report = r.TopCustomersReport(
        currency="EUR",
        items=(
            r.TopCustomer(
                customer_id="c1",
                customer_number=10001,
                display_name="Anna Schmidt",
                revenue=Decimal("90.00"),
                order_count=2,
            ),
        ),
    )
    for role, name, recorded in (
        ("admin", "Anna Schmidt", [{"c1": {"identity"}}]),
        ("analyst", None, [{}]),
    ):
        log, caller = Reads(), _caller(role)
        viewer = Visibility(caller.grants, ACTOR, None, log)  # type: ignore[arg-type]
        shown = await viewer.top_customers(report)
        assert (shown.items[0].display_name, log.reads) == (name, recorded), role
