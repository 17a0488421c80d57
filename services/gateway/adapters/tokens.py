"""Bearer tokens of an OpenID Connect provider, checked with PyJWT: the signature against the
provider's keys (a JWKS URL, fetched and cached by PyJWKClient, or a JWKS file), issuer,
audience and expiry with a bounded clock skew."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from services.gateway.domain.principal import Principal, PrincipalKind
from services.gateway.use_cases.access import Unauthenticated


@dataclass(frozen=True)
class TokenRules:
    issuer: str
    audience: str
    roles_claim: str
    name_claim: str
    leeway_s: float
    algorithms: tuple[str, ...]


class JwtVerifier:
    def __init__(
        self, rules: TokenRules, *, jwks_url: str | None = None, jwks_file: Path | None = None
    ) -> None:
        if (jwks_url is None) == (jwks_file is None):
            raise ValueError("give a JWKS URL or a JWKS file")
        self.rules = rules
        self._client = jwt.PyJWKClient(jwks_url, lifespan=300) if jwks_url else None
        self._keys = (
            jwt.PyJWKSet.from_dict(json.loads(jwks_file.read_text())) if jwks_file else None
        )

    async def verify(self, token: str) -> Principal:
        try:
            key = await self._signing_key(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(self.rules.algorithms),
                issuer=self.rules.issuer,
                audience=self.rules.audience,
                leeway=self.rules.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except (jwt.PyJWTError, KeyError) as error:
            raise Unauthenticated(f"the bearer token does not hold: {error}") from None
        subject = str(claims["sub"])
        return Principal(
            id=subject[:200],
            name=str(_claim(claims, self.rules.name_claim) or subject)[:200],
            kind=PrincipalKind.PERSON,
            roles=_roles(_claim(claims, self.rules.roles_claim)),
        )

    async def _signing_key(self, token: str) -> jwt.PyJWK:
        if self._client is not None:
            # PyJWKClient fetches with urllib (blocking); it caches the key set between calls.
            return await asyncio.to_thread(self._client.get_signing_key_from_jwt, token)
        assert self._keys is not None
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is None and len(self._keys.keys) == 1:
            return self._keys.keys[0]
        return self._keys[str(kid)]


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by its dotted path (`realm_access.roles`, as some providers nest them)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _roles(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()
