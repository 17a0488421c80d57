"""Who a request comes from (a key, a person's token, the bootstrap key) and what their roles
grant; the keys and roles an admin manages.

Keys and roles are read from the gateway's database on every request: a revoked key or a
changed role holds at once on every replica (one lookup by id each; no cache to go stale).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.gateway.domain import api_keys
from services.gateway.domain.api_keys import ApiKey
from services.gateway.domain.policy import Grants
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.domain.roles import DEFAULT_ROLES, Role
from shared.contracts.replies import FieldError
from shared.errors import DomainError, InvalidInput, NotFound

BOOTSTRAP_ID = "bootstrap"
Clock = Callable[[], datetime]


class Unauthenticated(DomainError):
    """No credentials, or none that hold (unknown, wrong, expired, revoked)."""

    kind = "unauthorized"
    title = "Unauthorized"


class KeyStore(Protocol):
    async def add(self, key: ApiKey) -> None: ...
    async def get(self, key_id: str) -> ApiKey | None: ...
    async def all(self) -> list[ApiKey]: ...
    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None: ...
    async def touch(self, key_id: str, at: datetime) -> None: ...


class RoleStore(Protocol):
    async def of(self, names: tuple[str, ...]) -> list[Role]: ...
    async def all(self) -> list[Role]: ...
    async def put(self, role: Role) -> None: ...
    async def seed(self, roles: tuple[Role, ...]) -> None: ...


class TokenVerifier(Protocol):
    """Checks a person's token (signature, issuer, audience, expiry) and says who it is."""

    async def verify(self, token: str) -> Principal: ...


@dataclass(frozen=True)
class Caller:
    principal: Principal
    grants: Grants


@dataclass
class Authenticator:
    keys: KeyStore
    roles: RoleStore
    clock: Clock
    bootstrap_key: str | None = None
    tokens: TokenVerifier | None = None

    async def authenticate(self, credential: str | None) -> Caller:
        if not credential:
            raise Unauthenticated("send an API key (X-API-Key) or a bearer token")
        principal = await self._principal(credential)
        return Caller(principal, Grants.of(principal, await self.roles.of(principal.roles)))

    async def _principal(self, credential: str) -> Principal:
        if self.bootstrap_key and hmac.compare_digest(
            credential.encode(), self.bootstrap_key.encode()
        ):
            return Principal(BOOTSTRAP_ID, "bootstrap key", PrincipalKind.KEY, ("admin",))
        parts = api_keys.parse(credential)
        if parts is not None:
            return await self._key(parts)
        if self.tokens is not None and credential.count(".") == 2:
            return await self.tokens.verify(credential)
        raise Unauthenticated("the credentials are not a key or token of this suite")

    async def _key(self, parts: api_keys.KeyParts) -> Principal:
        key = await self.keys.get(parts.key_id)
        now = self.clock()
        if key is None or not key.matches(parts.secret):
            raise Unauthenticated("unknown API key")
        if not key.usable(now):
            raise Unauthenticated("the API key is revoked or expired")
        if key.needs_touch(now):
            await self.keys.touch(key.id, now)
        return Principal(key.id, key.name, PrincipalKind.KEY, key.roles, key.shop)


@dataclass
class KeyAdmin:
    keys: KeyStore
    roles: RoleStore
    clock: Clock

    async def create(
        self,
        *,
        name: str,
        roles: tuple[str, ...],
        created_by: str,
        expires_at: datetime | None = None,
        shop: str | None = None,
    ) -> tuple[ApiKey, str]:
        now = self.clock()
        known = {r.name for r in await self.roles.of(roles)}
        unknown = [r for r in roles if r not in known]
        errors = [FieldError(field="roles", message=f"no role {r}") for r in unknown]
        if expires_at is not None and expires_at <= now:
            errors.append(FieldError(field="expires_at", message="must be in the future"))
        if errors:
            raise InvalidInput(errors)
        record, key = api_keys.new_key(
            name=name,
            roles=roles,
            now=now,
            created_by=created_by,
            expires_at=expires_at,
            shop=shop,
        )
        await self.keys.add(record)
        return record, key

    async def revoke(self, key_id: str) -> ApiKey:
        revoked = await self.keys.revoke(key_id, self.clock())
        if revoked is None:
            raise NotFound("API key", f"no API key {key_id}")
        return revoked


@dataclass
class RoleAdmin:
    roles: RoleStore

    async def put(self, role: Role) -> Role:
        """Define a role or change one; in force for the next request on every replica."""
        if role.name == "admin" and not role.actions >= {*DEFAULT_ROLES[0].actions}:
            # Nobody could manage access any more.
            raise InvalidInput(
                [FieldError(field="actions", message="admin keeps every action")],
            )
        await self.roles.put(role)
        return role

    async def seed(self) -> None:
        await self.roles.seed(DEFAULT_ROLES)
