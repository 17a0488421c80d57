"""Sign-in at an OpenID Connect provider: the authorization-code flow with PKCE.

The provider's endpoints come from its discovery document; the ID token it returns for the code
is checked with PyJWT against the provider's published keys (issuer, audience = our client id,
expiry, the nonce of this sign-in), and names the person and their roles.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from services.gateway.adapters.tokens import _claim, _roles
from services.gateway.domain.console_sessions import code_challenge
from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.use_cases.access import Unauthenticated

# How long the discovery document and the keys are kept before they are fetched again.
CACHE_S = 300.0


@dataclass(frozen=True)
class OidcClientSettings:
    issuer: str
    client_id: str
    client_secret: str
    redirect_url: str
    roles_claim: str
    name_claim: str
    leeway_s: float
    algorithms: tuple[str, ...]


class OidcProvider:
    def __init__(self, settings: OidcClientSettings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._http = http or httpx.AsyncClient(timeout=10)
        self._discovery: dict[str, Any] | None = None
        self._keys: jwt.PyJWKSet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        await self._http.aclose()

    async def authorization_url(self, *, state: str, nonce: str, verifier: str) -> str:
        endpoint = (await self._document())["authorization_endpoint"]
        params = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": self.settings.redirect_url,
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return f"{endpoint}?{urlencode(params)}"

    async def principal(self, *, code: str, verifier: str, nonce: str) -> Principal:
        """The person the provider's code stands for (after exchanging it for an ID token)."""
        document = await self._document()
        try:
            answer = await self._http.post(
                document["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.settings.redirect_url,
                    "code_verifier": verifier,
                },
                auth=(self.settings.client_id, self.settings.client_secret),
            )
        except httpx.HTTPError as error:
            raise Unauthenticated(f"the identity provider did not answer: {error}") from None
        if answer.status_code != 200:
            raise Unauthenticated(f"the identity provider refused the code ({answer.status_code})")
        id_token = answer.json().get("id_token")
        if not isinstance(id_token, str):
            raise Unauthenticated("the identity provider sent no ID token")
        return await self._person(id_token, nonce)

    async def _person(self, id_token: str, nonce: str) -> Principal:
        rules = self.settings
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            keys = await self._key_set()
            key = keys[str(kid)] if kid is not None else keys.keys[0]
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=list(rules.algorithms),
                issuer=rules.issuer,
                audience=rules.client_id,
                leeway=rules.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub", "nonce"]},
            )
        except (jwt.PyJWTError, KeyError, IndexError) as error:
            raise Unauthenticated(f"the ID token does not hold: {error}") from None
        if claims["nonce"] != nonce:
            raise Unauthenticated("the ID token is not of this sign-in (nonce)")
        subject = str(claims["sub"])
        return Principal(
            id=subject[:200],
            name=str(_claim(claims, rules.name_claim) or subject)[:200],
            kind=PrincipalKind.PERSON,
            roles=_roles(_claim(claims, rules.roles_claim)),
        )

    async def _document(self) -> dict[str, Any]:
        async with self._lock:
            if self._discovery is None or time.monotonic() - self._fetched_at > CACHE_S:
                url = f"{self.settings.issuer.rstrip('/')}/.well-known/openid-configuration"
                try:
                    answer = await self._http.get(url)
                    answer.raise_for_status()
                except httpx.HTTPError as error:
                    raise Unauthenticated(
                        f"the identity provider is unreachable: {error}"
                    ) from None
                document: dict[str, Any] = answer.json()
                if document.get("issuer") != self.settings.issuer:
                    raise Unauthenticated("the discovery document names another issuer")
                self._discovery, self._keys = document, None
                self._fetched_at = time.monotonic()
            return self._discovery

    async def _key_set(self) -> jwt.PyJWKSet:
        document = await self._document()
        if self._keys is None:
            answer = await self._http.get(document["jwks_uri"])
            answer.raise_for_status()
            self._keys = jwt.PyJWKSet.from_dict(answer.json())
        return self._keys
