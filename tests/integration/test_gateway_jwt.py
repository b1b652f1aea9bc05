"""JWT authorizers of HTTP APIs, with tokens from the embedded cloud's Cognito (which carry the real AWS
issuer URL) and tokens forged the ways attackers and broken clients forge them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from localcloud.endpoints import Endpoints
from localcloud.gateway import client as gateway_client
from tests.integration.gateway_samples import add_route, create_function

pytestmark = pytest.mark.integration

PASSWORD = "Sample-Passw0rd!"
CLAIMS = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"]["jwt"])}
"""
UNAUTHORIZED = {"message": "Unauthorized"}


def _pool_with_clients(cognito: Any) -> tuple[str, str, str]:
    pool_id = cognito.create_user_pool(PoolName="gateway-jwt-sample")["UserPool"]["Id"]
    clients = [
        cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=name,
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        for name in ("web", "other")
    ]
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="ada", MessageAction="SUPPRESS", TemporaryPassword="Temp-Passw0rd!"
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="ada", Password=PASSWORD, Permanent=True)
    return pool_id, clients[0], clients[1]


def _tokens(cognito: Any, pool_id: str, client_id: str) -> dict[str, str]:
    result = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"]}


@pytest.fixture(scope="module")
def sample(cloud_env: Endpoints) -> Iterator[dict[str, Any]]:
    """A pool with two app clients; an API whose authorizer trusts the pool for client "web"."""
    cognito = boto3.client("cognito-idp")
    apis = boto3.client("apigatewayv2")
    pool_id, web, other = _pool_with_clients(cognito)
    other_pool_id, other_pool_client, _ = _pool_with_clients(cognito)
    issuer = f"https://cognito-idp.{cloud_env.region}.amazonaws.com/{pool_id}"
    api_id = apis.create_api(Name="gateway-jwt-sample", ProtocolType="HTTP")["ApiId"]
    authorizer_id = apis.create_authorizer(
        ApiId=api_id,
        Name="cognito",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer, "Audience": [web]},
    )["AuthorizerId"]
    claims = create_function(CLAIMS)
    jwt_route = {"AuthorizationType": "JWT", "AuthorizerId": authorizer_id}
    add_route(api_id, "GET /me", claims, **jwt_route)
    add_route(
        api_id, "GET /profile", claims, **jwt_route, AuthorizationScopes=["aws.cognito.signin.user.admin"]
    )
    add_route(api_id, "GET /admin", claims, **jwt_route, AuthorizationScopes=["sample/admin"])
    apis.create_stage(ApiId=api_id, StageName="$default")
    url = gateway_client.api_url(cloud_env.gateway, api_id)["url"]
    yield {
        "url": url,
        "issuer": issuer,
        "web": _tokens(cognito, pool_id, web),
        "other_client": _tokens(cognito, pool_id, other),
        "other_pool": _tokens(cognito, other_pool_id, other_pool_client),
        "audience": web,
    }
    apis.delete_api(ApiId=api_id)


def _get(sample: dict[str, Any], path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.get(f"{sample['url']}{path}", headers=headers, timeout=30)


def _emulator_signed(claims: dict[str, Any]) -> str:
    """A token signed with the emulator's own Cognito key: only its claims can be wrong."""
    private = jwt.PyJWK.from_dict(load_resource("cognitoidp/resources/jwks-private.json"))
    return jwt.encode(claims, private.key, algorithm="RS256", headers={"kid": "dummy"})


def test_valid_id_token_passes_with_its_claims(sample):
    response = _get(sample, "/me", sample["web"]["id"])

    assert response.status_code == 200
    claims = response.json()["claims"]
    assert claims["aud"] == sample["audience"]
    assert claims["iss"] == sample["issuer"]
    assert claims["token_use"] == "id"
    assert claims["cognito:username"] == "ada"
    assert claims["exp"].isdigit()  # API Gateway hands claims over as strings


def test_valid_access_token_passes_and_its_scope_satisfies_the_route(sample):
    me = _get(sample, "/me", sample["web"]["access"])
    profile = _get(sample, "/profile", sample["web"]["access"])

    assert me.status_code == 200
    assert me.json()["claims"]["client_id"] == sample["audience"]
    assert profile.status_code == 200
    assert profile.json()["scopes"] == ["aws.cognito.signin.user.admin"]


def test_token_without_the_routes_scope_is_forbidden(sample):
    response = _get(sample, "/admin", sample["web"]["access"])

    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


def test_missing_token_is_unauthorized(sample):
    response = _get(sample, "/me", None)

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_tampered_signature_is_unauthorized(sample):
    header, payload, signature = sample["web"]["id"].split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["cognito:username"] = "admin"
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()

    response = _get(sample, "/me", f"{header}.{forged}.{signature}")

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_expired_token_is_unauthorized(sample):
    claims = jwt.decode(sample["web"]["id"], options={"verify_signature": False})
    expired = _emulator_signed({**claims, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600})

    response = _get(sample, "/me", expired)

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    # the reason, where API Gateway's JWT authorizer gives it
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer scope="" error="invalid_token"')
    assert 'error_description="the token has expired' in challenge


def test_token_of_another_issuer_is_unauthorized(sample):
    response = _get(sample, "/me", sample["other_pool"]["id"])

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_id_token_of_another_audience_is_unauthorized(sample):
    response = _get(sample, "/me", sample["other_client"]["id"])

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_access_token_of_another_client_is_unauthorized(sample):
    # An access token has no aud: a verifier that only checks aud lets any client's token in.
    response = _get(sample, "/me", sample["other_client"]["access"])

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_unknown_kid_is_unauthorized_not_a_crash(sample):
    claims = jwt.decode(sample["web"]["id"], options={"verify_signature": False})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "rotated-away"})

    first = _get(sample, "/me", token)
    again = _get(sample, "/me", token)

    assert (first.status_code, first.json()) == (401, UNAUTHORIZED)
    assert again.status_code == 401
    assert _get(sample, "/me", sample["web"]["id"]).status_code == 200  # the gateway is fine after it


@pytest.mark.parametrize(
    "authorization", ["Bearer", "Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz"]
)
def test_garbage_tokens_are_unauthorized(sample, authorization):
    response = httpx.get(f"{sample['url']}/me", headers={"Authorization": authorization}, timeout=30)

    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
