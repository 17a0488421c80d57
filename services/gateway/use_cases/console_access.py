"""Signing in to the console and out again; every request of a session is checked anew.

Sign-in takes the same credentials as the API (an API key, a token of the identity provider)
and checks them with the same `Authenticator`, so the console and the API agree on who someone
is and what their roles grant. The session then stands for the principal; on each request the
key behind it must still be usable and the roles are read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from services.gateway.domain.console_sessions import (
    ConsoleSession,
    new_token,
    open_session,
    same_token,
    token_hash,
)
from services.gateway.domain.policy import Grants
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.use_cases.access import (
    BOOTSTRAP_ID,
    Authenticator,
    Caller,
    Unauthenticated,
)


class SessionStore(Protocol):
    async def add(self, session: ConsoleSession) -> None: ...
    async def get(self, session_id: str) -> ConsoleSession | None: ...
    async def remove(self, session_id: str) -> None: ...


class IdentityProvider(Protocol):
    """An OpenID Connect provider people sign in at (authorization code with PKCE)."""

    async def authorization_url(self, *, state: str, nonce: str, verifier: str) -> str: ...
    async def principal(self, *, code: str, verifier: str, nonce: str) -> Principal: ...


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser brings back from the provider must match: the state; what proves the
    code is ours: the PKCE verifier; what the ID token must name: the nonce."""

    state: str
    nonce: str
    verifier: str

    def cookie(self) -> str:
        return f"{self.state}.{self.nonce}.{self.verifier}"

    @classmethod
    def of_cookie(cls, value: str | None) -> PendingSignIn | None:
        parts = (value or "").split(".")
        return cls(*parts) if len(parts) == 3 and all(parts) else None


@dataclass(frozen=True)
class SignedIn:
    caller: Caller
    session: ConsoleSession


@dataclass
class ConsoleAccess:
    authenticator: Authenticator
    sessions: SessionStore
    lifetime: timedelta
    provider: IdentityProvider | None = None

    async def start_at_provider(self) -> tuple[str, PendingSignIn]:
        """Where to send the browser to sign in, and what to keep until it comes back."""
        if self.provider is None:
            raise Unauthenticated("no identity provider is set up; sign in with an API key")
        pending = PendingSignIn(new_token(), new_token(), new_token())
        url = await self.provider.authorization_url(
            state=pending.state, nonce=pending.nonce, verifier=pending.verifier
        )
        return url, pending

    async def finish_at_provider(
        self, *, code: str | None, state: str | None, pending: PendingSignIn | None
    ) -> tuple[ConsoleSession, str]:
        """A session for the person the provider's code stands for."""
        if self.provider is None:
            raise Unauthenticated("no identity provider is set up; sign in with an API key")
        if pending is None or not same_token(state, pending.state) or not code:
            raise Unauthenticated("the sign-in at the provider is not this browser's; try again")
        person = await self.provider.principal(
            code=code, verifier=pending.verifier, nonce=pending.nonce
        )
        return await self.open(person)

    async def sign_in(self, credential: str) -> tuple[ConsoleSession, str]:
        """A session for whoever the credential proves to be, and its cookie's token."""
        caller = await self.authenticator.authenticate(credential.strip() or None)
        return await self.open(caller.principal)

    async def open(self, principal: Principal) -> tuple[ConsoleSession, str]:
        session, token = open_session(principal, self.authenticator.clock(), self.lifetime)
        await self.sessions.add(session)
        return session, token

    async def resume(self, token: str | None) -> SignedIn:
        """The caller of the session the cookie names, as it stands now."""
        if not token:
            raise Unauthenticated("sign in to the console")
        session = await self.sessions.get(token_hash(token))
        if session is None or not session.open_at(self.authenticator.clock()):
            raise Unauthenticated("the session has ended; sign in again")
        principal = session.principal
        await self._still_valid(principal)
        roles = await self.authenticator.roles.of(principal.roles)
        return SignedIn(Caller(principal, Grants.of(principal, roles)), session)

    async def sign_out(self, session: ConsoleSession) -> None:
        await self.sessions.remove(session.id)

    async def _still_valid(self, principal: Principal) -> None:
        if principal.kind is not PrincipalKind.KEY:
            return  # a person's session lasts its lifetime, as the provider's token did
        if principal.id == BOOTSTRAP_ID:
            if not self.authenticator.bootstrap_key:
                raise Unauthenticated("the bootstrap key is no longer accepted")
            return
        key = await self.authenticator.keys.get(principal.id)
        if key is None or not key.usable(self.authenticator.clock()):
            raise Unauthenticated("the API key of this session is revoked or expired")
