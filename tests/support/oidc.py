"""A tiny OpenID Connect provider for tests: discovery, an authorization endpoint that signs in
one configured person at once, a token endpoint that checks the client, the redirect URI and
the PKCE verifier (S256) and hands out each code once, and its keys."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from tests.support.tokens import IdentityProvider

CLIENT_ID = "customer-console"
CLIENT_SECRET = "console-client-secret-for-tests"


@dataclass
class FakeOidcProvider:
    keys: IdentityProvider
    issuer: str = ""
    # Who signs in at the next authorization: subject, name, roles.
    person: tuple[str, str, list[str]] = ("petra", "Petra Example", ["supporter"])
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "code_challenge_methods_supported": ["S256"],
            }

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            return dict(json.loads(self.keys.jwks_file.read_text()))

        @app.get("/authorize")
        async def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            assert q["client_id"] == CLIENT_ID
            assert q["response_type"] == "code"
            assert q["code_challenge_method"] == "S256"
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "challenge": q["code_challenge"],
                "nonce": q["nonce"],
                "redirect_uri": q["redirect_uri"],
            }
            back = urlencode({"code": code, "state": q["state"]})
            return RedirectResponse(f"{q['redirect_uri']}?{back}", status_code=303)

        @app.post("/token", response_model=None)
        async def token(request: Request) -> dict[str, Any] | JSONResponse:
            form = dict(parse_qsl((await request.body()).decode()))
            grant_type, code = form.get("grant_type"), form.get("code", "")
            redirect_uri, code_verifier = form.get("redirect_uri"), form.get("code_verifier", "")
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            grant = self.codes.pop(code, None)  # a code is good once
            digest = hashlib.sha256(code_verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if (
                request.headers.get("authorization") != f"Basic {expected}"
                or grant_type != "authorization_code"
                or grant is None
                or grant["redirect_uri"] != redirect_uri
                or grant["challenge"] != challenge
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            subject, name, roles = self.person
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": CLIENT_ID,
                "sub": subject,
                "name": name,
                "nonce": grant["nonce"],
                "iat": now,
                "exp": now + 300,
                "realm_access": {"roles": roles},
            }
            id_token = jwt.encode(
                claims, self.keys.key, algorithm="RS256", headers={"kid": self.keys.kid}
            )
            return {"access_token": "opaque", "token_type": "Bearer", "id_token": id_token}

        return app
