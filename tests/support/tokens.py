"""A stand-in identity provider for tests: an RSA key pair, its JWKS file, and signed tokens."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://id.example.test/realms/shop"
AUDIENCE = "customer-suite"


@dataclass
class IdentityProvider:
    key: rsa.RSAPrivateKey
    kid: str
    jwks_file: Path

    @classmethod
    def create(cls, directory: Path, kid: str = "test-key-1") -> IdentityProvider:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        public |= {"kid": kid, "use": "sig", "alg": "RS256"}
        jwks_file = directory / "jwks.json"
        jwks_file.write_text(json.dumps({"keys": [public]}))
        return cls(key, kid, jwks_file)

    @classmethod
    def create_in_memory(cls, kid: str = "test-key-1") -> IdentityProvider:
        """Another provider with the same key id: its tokens must not pass for the first's."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(key, kid, Path("/nonexistent"))

    def env(self) -> dict[str, str]:
        return {
            "GATEWAY_JWT_ISSUER": ISSUER,
            "GATEWAY_JWT_AUDIENCE": AUDIENCE,
            "GATEWAY_JWT_JWKS_FILE": str(self.jwks_file),
            "GATEWAY_JWT_ROLES_CLAIM": "realm_access.roles",
            "GATEWAY_JWT_LEEWAY_S": "30",
        }

    def token(
        self, subject: str, roles: list[str], *, expires_in: float = 300, **claims: Any
    ) -> str:
        now = time.time()
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "name": f"{subject.title()} Example",
            "iat": int(now),
            "exp": int(now + expires_in),
            "realm_access": {"roles": roles},
        } | claims
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": self.kid})
