"""Tokens of an identity provider, checked against its keys published at a JWKS URL (the
provider here: a key pair the test makes, its JWKS served over local HTTP)."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.gateway.adapters.tokens import JwtVerifier, TokenRules
from services.gateway.domain.principal import PrincipalKind
from services.gateway.use_cases.access import Unauthenticated
from tests.support.tokens import AUDIENCE, ISSUER, IdentityProvider

RULES = TokenRules(
    issuer=ISSUER,
    audience=AUDIENCE,
    roles_claim="realm_access.roles",
    name_claim="name",
    leeway_s=30,
    algorithms=("RS256",),
)


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(directory), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_token_is_checked_against_the_keys_at_the_jwks_url(tmp_path: Path) -> None:
    idp = IdentityProvider.create(tmp_path)
    with serving(tmp_path) as url:
        verifier = JwtVerifier(RULES, jwks_url=url)
        person = await verifier.verify(idp.token("carla", ["supporter", "marketing"]))
        assert (person.id, person.kind) == ("carla", PrincipalKind.PERSON)
        assert person.roles == ("supporter", "marketing")
        assert person.name == "Carla Example"
        with pytest.raises(Unauthenticated):
            await verifier.verify(IdentityProvider.create_in_memory().token("carla", ["admin"]))
        with pytest.raises(Unauthenticated):
            await verifier.verify(idp.token("carla", ["admin"], iss="https://other.example/"))


def test_one_source_of_keys() -> None:
    with pytest.raises(ValueError, match="JWKS"):
        JwtVerifier(RULES)
