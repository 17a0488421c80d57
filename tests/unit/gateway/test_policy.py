"""The policy and the views cut by it: pure functions over the default roles."""

from __future__ import annotations

import pytest

from services.gateway.domain import redaction
from services.gateway.domain.policy import AccessDenied, Grants
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.domain.roles import DEFAULT_ROLES, Action

VIEW = {
    "id": "c1",
    "customer_number": 7,
    "status": "active",
    "tags": ["vip"],
    "first_name": "Nina",
    "emails": [{"address": "nina@example.com", "primary": True}],
    "addresses": [{"id": "a1", "line1": "Hauptstraße 5"}],
    "bank_accounts": [
        {
            "id": "b1",
            "iban_masked": "DE89 ** 00",
            "holder": "Nina",
            "bic": "X",
            "country_code": "DE",
        }
    ],
    "extra": {"loyalty": "gold", "salary": "B2"},
    "provenance": {"first_name": {}, "extra.salary": {}, "tags": {}},
    "some_future_field": "?",
}
CUSTOM = {"salary": "hr"}


def grants(*roles: str) -> Grants:
    return Grants.of(Principal("p", "p", PrincipalKind.KEY, roles), DEFAULT_ROLES)


def test_admin_sees_all_and_may_do_all() -> None:
    admin = grants("admin")
    shown, returned = redaction.customer(VIEW, admin, CUSTOM)
    assert shown == VIEW
    assert returned == {"identity", "contact", "addresses", "bank", "custom_fields", "hr", "*"}
    assert all(admin.may(a) for a in Action)


def test_supporter_reads_bank_masked_and_not_other_groups() -> None:
    shown, returned = redaction.customer(VIEW, grants("supporter"), CUSTOM)
    assert shown["bank_accounts"] == [
        {"id": "b1", "iban_masked": "DE89 ** 00", "country_code": "DE"}
    ]
    assert shown["extra"] == {"loyalty": "gold"}
    assert set(shown["provenance"]) == {"first_name", "tags"}
    assert "some_future_field" not in shown
    assert "hr" not in returned


def test_roles_add_up_and_an_unmasked_read_wins() -> None:
    both = grants("supporter", "admin")
    assert not both.reads_masked("bank")
    shown, _ = redaction.customer(VIEW, both, CUSTOM)
    assert shown["bank_accounts"][0]["holder"] == "Nina"
    assert grants("analyst", "marketing").reads_group("identity")


def test_analyst_sees_no_personal_data() -> None:
    shown, returned = redaction.customer(VIEW, grants("analyst"), CUSTOM)
    assert set(shown) == {"id", "customer_number", "status", "tags", "extra", "provenance"}
    assert shown["extra"] == {}
    assert returned == set()


def test_writes_are_refused_naming_every_field() -> None:
    with pytest.raises(AccessDenied) as denied:
        grants("marketing").require_writes({"first_name": "identity", "tags": "tags"})
    assert [e.field for e in denied.value.errors] == ["first_name", "tags"]
    grants("supporter").require_writes({"first_name": "identity", "tags": "tags"})
    with pytest.raises(AccessDenied, match="erase"):
        grants("supporter").require(Action.ERASE)


def test_unknown_roles_grant_nothing() -> None:
    nothing = grants("wizard")
    assert not nothing.reads_group("customers")
    assert not nothing.actions


def test_timeline_entries_lose_what_the_caller_may_not_read() -> None:
    entry = {
        "kind": "updated",
        "changes": [
            {"field": "first_name", "before": "A", "after": "B"},
            {"field": "extra.salary", "before": "B1", "after": "B2"},
        ],
    }
    shown = redaction.activity(entry, grants("supporter"), CUSTOM)
    assert shown is not None
    assert [c["field"] for c in shown["changes"]] == ["first_name"]
    assert redaction.activity({"kind": "bank_account_added"}, grants("marketing"), CUSTOM) is None


def test_consent_changes_in_the_timeline_are_for_consent_readers() -> None:
    entry = {
        "kind": "consent_changed",
        "changes": [{"field": "consent.email.shopify", "before": "none", "after": "withdrawn"}],
    }
    shown = redaction.activity(entry, grants("marketing"), {})
    assert shown is not None
    assert shown["changes"] == entry["changes"]
    assert redaction.activity(entry, grants("analyst"), {}) is None
