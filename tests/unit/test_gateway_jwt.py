"""JWT authorizer checks of the local gateway, against a key set of the test's own."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from localcloud.gateway.definitions import Authorizer
from localcloud.gateway.jwt_authorizer import (
    Forbidden,
    IssuerKeySetSource,
    JwtVerifier,
    Unauthorized,
    check_scopes,
    claims_for_event,
    token_from_identity_source,
)

ISSUER = "https://issuer.example/pool"
AUTHORIZER = Authorizer(
    "auth1", "JWT", ("$request.header.Authorization",), issuer=ISSUER, audience=("client-a",)
)


class _Keys:
    """A key set whose contents the test changes, counting fetches."""

    def __init__(self) -> None:
        self.private = {
            kid: rsa.generate_private_key(public_exponent=65537, key_size=2048) for kid in ("k1", "k2")
        }
        self.published = ["k1"]
        self.fetches = 0

    def fetch(self, issuer: str) -> dict[str, Any]:
        assert issuer == ISSUER
        self.fetches += 1
        keys = []
        for kid in self.published:
            jwk = json.loads(RSAAlgorithm.to_jwk(self.private[kid].public_key()))
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": keys}

    def token(self, kid: str = "k1", **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "sub": "user-1", "exp": now + 300, "iat": now, **claims}
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, self.private[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def keys() -> _Keys:
    return _Keys()


def _verify(keys: _Keys, token: str, authorizer: Authorizer = AUTHORIZER):
    return asyncio.run(JwtVerifier(keys).verify(token, authorizer))


def test_id_token_with_the_audience_in_aud_is_accepted(keys):
    identity = _verify(keys, keys.token(aud="client-a", token_use="id"))

    assert identity.claims["sub"] == "user-1"


def test_access_token_with_the_audience_in_client_id_is_accepted(keys):
    identity = _verify(keys, keys.token(client_id="client-a", token_use="access", scope="read write"))

    assert identity.scopes == ["read", "write"]


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "client-b"},  # another client's ID token
        {"client_id": "client-b", "token_use": "access"},  # another client's access token
        {},  # no audience at all
        {"aud": "client-a", "iss": "https://issuer.example/other"},
        {"aud": "client-a", "exp": int(time.time()) - 10},
        {"aud": "client-a", "nbf": int(time.time()) + 600},
        {"aud": "client-a", "exp": None},  # exp is required
    ],
)
def test_tokens_api_gateway_refuses_are_unauthorized(keys, claims):
    with pytest.raises(Unauthorized):
        _verify(keys, keys.token(**claims))


def test_tampered_signature_is_unauthorized(keys):
    header, _, signature = keys.token(aud="client-a").split(".")
    forged_payload = jwt.utils.base64url_encode(
        json.dumps({"iss": ISSUER, "aud": "client-a", "sub": "admin", "exp": int(time.time()) + 300}).encode()
    ).decode()

    with pytest.raises(Unauthorized):
        _verify(keys, f"{header}.{forged_payload}.{signature}")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "Bearer", "e30.e30.", "....."])
def test_garbage_is_unauthorized_never_an_exception(keys, token):
    with pytest.raises(Unauthorized):
        _verify(keys, token)


def test_unsigned_token_is_unauthorized(keys):
    token = jwt.encode(
        {"iss": ISSUER, "aud": "client-a", "exp": int(time.time()) + 60}, None, algorithm="none"
    )

    with pytest.raises(Unauthorized):
        _verify(keys, token)


def test_unknown_kid_refreshes_the_key_set_once_then_is_unauthorized(keys):
    verifier = JwtVerifier(keys)
    asyncio.run(verifier.verify(keys.token(aud="client-a"), AUTHORIZER))
    verifier._keys[ISSUER].fetched_at -= 60  # the cached set is old enough to be refreshed

    with pytest.raises(Unauthorized):
        asyncio.run(verifier.verify(keys.token(kid="k2", aud="client-a"), AUTHORIZER))

    assert keys.fetches == 2


def test_rotated_key_is_found_by_the_refresh(keys):
    verifier = JwtVerifier(keys)
    asyncio.run(verifier.verify(keys.token(aud="client-a"), AUTHORIZER))
    verifier._keys[ISSUER].fetched_at -= 60
    keys.published = ["k1", "k2"]

    identity = asyncio.run(verifier.verify(keys.token(kid="k2", aud="client-a"), AUTHORIZER))

    assert identity.claims["aud"] == "client-a"


def test_unreachable_issuer_is_unauthorized():
    class Failing:
        def fetch(self, issuer: str) -> dict[str, Any]:
            raise OSError("connection refused")

    with pytest.raises(Unauthorized):
        asyncio.run(JwtVerifier(Failing()).verify(_Keys().token(aud="client-a"), AUTHORIZER))


def test_scopes_need_one_of_the_routes():
    identity = asyncio.run(
        JwtVerifier(keys := _Keys()).verify(
            keys.token(client_id="client-a", scope="orders/read profile"), AUTHORIZER
        )
    )

    check_scopes(identity, ())
    check_scopes(identity, ("orders/write", "orders/read"))
    with pytest.raises(Forbidden):
        check_scopes(identity, ("orders/write",))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"authorization": "Bearer abc.def.ghi"}, "abc.def.ghi"),
        ({"authorization": "bearer abc.def.ghi"}, "abc.def.ghi"),
        ({"authorization": "abc.def.ghi"}, "abc.def.ghi"),
        ({}, None),
    ],
)
def test_token_comes_from_the_identity_source_with_or_without_bearer(headers, expected):
    assert token_from_identity_source(("$request.header.Authorization",), headers) == expected


def test_claims_reach_the_event_as_strings():
    claims = {"sub": "u", "exp": 1700000000, "email_verified": True, "cognito:groups": ["admin", "staff"]}

    assert claims_for_event(claims) == {
        "sub": "u",
        "exp": "1700000000",
        "email_verified": "true",
        "cognito:groups": "[admin staff]",
    }


def test_remembered_token_is_refused_once_it_expires(keys):
    now = [time.time()]
    verifier = JwtVerifier(keys, clock=lambda: now[0])
    token = keys.token(aud="client-a", exp=int(now[0]) + 60)
    asyncio.run(verifier.verify(token, AUTHORIZER))

    now[0] += 120

    with pytest.raises(Unauthorized):
        asyncio.run(verifier.verify(token, AUTHORIZER))


def test_remembered_token_is_still_checked_against_each_authorizers_audience(keys):
    verifier = JwtVerifier(keys)
    token = keys.token(aud="client-a")
    asyncio.run(verifier.verify(token, AUTHORIZER))
    stricter = Authorizer("auth2", "JWT", issuer=ISSUER, audience=("client-b",))

    with pytest.raises(Unauthorized):
        asyncio.run(verifier.verify(token, stricter))


def test_other_issuers_keys_come_from_their_openid_configuration(keys):
    class Discovery(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            documents = {
                "/pool/.well-known/openid-configuration": {
                    "issuer": f"{base}/pool",
                    "jwks_uri": f"{base}/keys",
                },
                "/keys": keys.fetch(ISSUER),
            }
            body = json.dumps(documents.get(self.path, {})).encode()
            self.send_response(200 if self.path in documents else 404)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Discovery)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        issuer = f"http://127.0.0.1:{server.server_address[1]}/pool"
        document = IssuerKeySetSource().fetch(issuer)
    finally:
        server.shutdown()

    assert [key["kid"] for key in document["keys"]] == ["k1"]


def test_cognito_issuer_without_such_pool_in_the_emulator_is_refused():
    source = IssuerKeySetSource(cognito_jwks=lambda region, pool: None)

    with pytest.raises(LookupError, match="no user pool eu-north-1_abc"):
        source.fetch("https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_abc")
