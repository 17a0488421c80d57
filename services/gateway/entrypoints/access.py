"""Keys, roles and the access log in the public API: only for principals allowed to manage
access."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status
from pydantic import AwareDatetime, Field

from services.gateway.domain.access_log import Access as AccessEntry
from services.gateway.domain.api_keys import ApiKey
from services.gateway.domain.roles import BUILTIN_ROLES, EVERY_GROUP, ROLE_NAME, Action, Role
from services.gateway.entrypoints.dependencies import Access, CustomerId, Principal
from services.gateway.use_cases.access import KeyAdmin, RoleAdmin, RoleStore
from services.gateway.use_cases.access_log import AccessLogStore
from shared.contracts.envelope import Actor, Contract

RoleName = Annotated[str, Field(pattern=ROLE_NAME)]
GroupName = Annotated[str, Field(pattern=rf"^([a-z][a-z0-9_]{{1,39}}|\{EVERY_GROUP})$")]


async def _manager(grants: Access) -> None:
    grants.require(Action.MANAGE_ACCESS)


router = APIRouter(prefix="/v1", tags=["access"], dependencies=[Depends(_manager)])


class NewKey(Contract):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    roles: tuple[RoleName, ...] = Field(min_length=1, max_length=20)
    expires_at: AwareDatetime | None = None
    # Bind the key to one shop (an integration's key acts for its shop only).
    shop: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class KeyView(Contract):
    id: str
    name: str
    roles: tuple[str, ...]
    shop: str | None
    created_at: AwareDatetime
    created_by: str
    expires_at: AwareDatetime | None
    revoked_at: AwareDatetime | None
    last_used_at: AwareDatetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyView:
        return cls(
            id=key.id,
            name=key.name,
            roles=key.roles,
            shop=key.shop,
            created_at=key.created_at,
            created_by=key.created_by,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )


class CreatedKey(KeyView):
    # The key itself: shown in this answer only, never again (only its hash is kept).
    key: str


class KeyList(Contract):
    items: tuple[KeyView, ...]


class RoleInput(Contract):
    reads: tuple[GroupName, ...] = Field((), max_length=100)
    writes: tuple[GroupName, ...] = Field((), max_length=100)
    actions: tuple[Action, ...] = ()
    # Groups this role reads only masked (`bank`).
    masked: tuple[GroupName, ...] = Field((), max_length=100)
    description: Annotated[str, Field(max_length=500)] = ""


class RoleView(RoleInput):
    name: str
    builtin: bool

    @classmethod
    def of(cls, role: Role) -> RoleView:
        return cls(
            name=role.name,
            reads=tuple(sorted(role.reads)),
            writes=tuple(sorted(role.writes)),
            actions=tuple(sorted(role.actions)),
            masked=tuple(sorted(role.masked)),
            description=role.description,
            builtin=role.name in BUILTIN_ROLES,
        )


class RoleList(Contract):
    items: tuple[RoleView, ...]


class AccessView(Contract):
    """One read of a customer's personal data: ids and field group names, nothing of the data."""

    id: str
    at: AwareDatetime
    customer_id: str
    field_groups: tuple[str, ...]
    actor: Actor
    request_id: str
    purpose: str | None
    client: str | None
    route: str

    @classmethod
    def of(cls, entry: AccessEntry) -> AccessView:
        return cls(
            id=entry.id,
            at=entry.at,
            customer_id=entry.customer_id,
            field_groups=entry.groups,
            actor=entry.actor,
            request_id=entry.request_id,
            purpose=entry.purpose,
            client=entry.client,
            route=entry.route,
        )


class AccessPage(Contract):
    items: tuple[AccessView, ...]
    # Pass as `cursor` for the next (older) page; None: this was the last.
    next_cursor: str | None = None

    @classmethod
    def of(cls, entries: list[AccessEntry], limit: int) -> AccessPage:
        more = len(entries) == limit
        return cls(
            items=tuple(AccessView.of(e) for e in entries),
            next_cursor=entries[-1].id if more and entries else None,
        )


def _access_log(request: Request) -> AccessLogStore:
    log: AccessLogStore = request.app.state.access_log
    return log


Log = Annotated[AccessLogStore, Depends(_access_log)]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(pattern=r"^[0-9a-f]{24}$")]


def _keys(request: Request) -> KeyAdmin:
    keys: KeyAdmin = request.app.state.key_admin
    return keys


def _roles(request: Request) -> RoleAdmin:
    roles: RoleAdmin = request.app.state.role_admin
    return roles


Keys = Annotated[KeyAdmin, Depends(_keys)]
Roles = Annotated[RoleAdmin, Depends(_roles)]


@router.post("/api-keys", status_code=status.HTTP_201_CREATED)
async def create_key(body: NewKey, keys: Keys, principal: Principal) -> CreatedKey:
    """The answer holds the key under `key`: keep it, it is not shown again."""
    record, key = await keys.create(
        name=body.name,
        roles=body.roles,
        created_by=principal.id,
        expires_at=body.expires_at,
        shop=body.shop,
    )
    return CreatedKey(**KeyView.of(record).model_dump(), key=key)


@router.get("/api-keys")
async def list_keys(keys: Keys) -> KeyList:
    """Every key, revoked and expired ones too; never a secret."""
    return KeyList(items=tuple(KeyView.of(k) for k in await keys.keys.all()))


@router.delete("/api-keys/{key_id}")
async def revoke_key(
    key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")], keys: Keys
) -> KeyView:
    """From the next request on, on every gateway, the key gets 401."""
    return KeyView.of(await keys.revoke(key_id))


@router.get("/roles")
async def list_roles(roles: Roles) -> RoleList:
    store: RoleStore = roles.roles
    return RoleList(items=tuple(RoleView.of(r) for r in await store.all()))


@router.put("/roles/{name}")
async def put_role(
    name: Annotated[str, Path(pattern=ROLE_NAME)], body: RoleInput, roles: Roles
) -> RoleView:
    """Define or change a role: in force from the next request, without a restart."""
    role = Role(
        name=name,
        reads=frozenset(body.reads),
        writes=frozenset(body.writes),
        actions=frozenset(body.actions),
        masked=frozenset(body.masked),
        description=body.description,
    )
    return RoleView.of(await roles.put(role))


@router.get("/customers/{customer_id}/access-log")
async def customer_access_log(
    customer_id: CustomerId, log: Log, limit: Limit = 100, cursor: Cursor = None
) -> AccessPage:
    """Who read this customer's personal data, newest first."""
    entries = await log.of_customer(customer_id, limit=limit, before=cursor)
    return AccessPage.of(entries, limit)


@router.get("/access-log")
async def principal_access_log(
    principal: Annotated[str, Query(min_length=1, max_length=200)],
    log: Log,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> AccessPage:
    """What one principal (a key's id, a person's subject) read, newest first."""
    entries = await log.of_principal(principal, limit=limit, before=cursor)
    return AccessPage.of(entries, limit)
