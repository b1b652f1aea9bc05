"""JWT authorizers as API Gateway runs them: the token from the identity source, its RS256 signature
checked against the configured issuer's key set, ``exp``/``nbf``/``iat``, ``iss``, the audience
(``aud`` of ID tokens, ``client_id`` of access tokens), then the route's scopes. Any failure is a 401
(403 for missing scopes, as API Gateway answers); nothing a client sends can make it raise."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import jwt

from localcloud.gateway.definitions import Authorizer

log = logging.getLogger("localcloud.gateway")

# Tokens issued by the emulator's Cognito carry the real AWS issuer URL.
COGNITO_ISSUER = re.compile(
    r"^https://cognito-idp\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<pool>[^/]+)/?$"
)
ALGORITHMS = ["RS256", "RS384", "RS512"]
# How often an unknown ``kid`` may trigger a key set refresh, per issuer.
REFRESH_INTERVAL_S = 5.0
FETCH_TIMEOUT_S = 3.0
VERIFIED_CACHE_SIZE = 4096


class Unauthorized(Exception):
    """The request carries no acceptable token; answered 401."""


class Forbidden(Exception):
    """The token is valid but lacks every scope the route asks for; answered 403."""


@dataclass(frozen=True)
class JwtIdentity:
    claims: dict[str, Any]
    scopes: list[str]


class KeySetSource(Protocol):
    def fetch(self, issuer: str) -> Mapping[str, Any]:
        """The issuer's JWKS document (``{"keys": [...]}``); raises when it cannot be had."""
        ...


def _moto_cognito_jwks(region: str, pool_id: str) -> Mapping[str, Any] | None:
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.utilities.utils import load_resource

    for _, regions in list(cognitoidp_backends.items()):
        backend = dict(regions.items()).get(region)
        if backend is not None and pool_id in backend.user_pools:
            return load_resource("cognitoidp/resources/jwks-public.json")
    return None


class IssuerKeySetSource:
    """Cognito issuers map to the emulator's key set (when the user pool exists in it); any other
    issuer's keys are fetched over HTTP from its OpenID configuration, as API Gateway does."""

    def __init__(self, cognito_jwks: Callable[[str, str], Mapping[str, Any] | None] = _moto_cognito_jwks):
        self._cognito_jwks = cognito_jwks

    def fetch(self, issuer: str) -> Mapping[str, Any]:
        cognito = COGNITO_ISSUER.match(issuer)
        if cognito:
            jwks = self._cognito_jwks(cognito["region"], cognito["pool"])
            if jwks is None:
                raise LookupError(
                    f"no user pool {cognito['pool']} in the emulator's Cognito ({cognito['region']})"
                )
            return jwks
        with httpx.Client(timeout=FETCH_TIMEOUT_S) as client:
            config = client.get(issuer.rstrip("/") + "/.well-known/openid-configuration")
            config.raise_for_status()
            keys = client.get(config.json()["jwks_uri"])
            keys.raise_for_status()
            return keys.json()


@dataclass
class _CachedKeys:
    keys: dict[str, Any]  # kid -> PyJWK
    fetched_at: float


def token_from_identity_source(identity_source: tuple[str, ...], headers: Mapping[str, str]) -> str | None:
    """The bearer token named by the authorizer's identity source (a request header)."""
    sources = identity_source or ("$request.header.Authorization",)
    for source in sources:
        if source.lower().startswith("$request.header."):
            value = headers.get(source[len("$request.header.") :].lower())
            if value:
                scheme, _, rest = value.strip().partition(" ")
                return rest.strip() if scheme.lower() == "bearer" and rest else value.strip()
    return None


def _token_scopes(claims: Mapping[str, Any]) -> list[str]:
    scope = claims.get("scope", claims.get("scp"))
    if isinstance(scope, str):
        return scope.split()
    if isinstance(scope, list):
        return [str(s) for s in scope]
    return []


def _audience_matches(claims: Mapping[str, Any], audience: tuple[str, ...]) -> bool:
    # ID tokens name their client in ``aud``, access tokens in ``client_id``: both must be checked, or
    # an access token of any client of the same pool gets in.
    token_audiences: list[str] = []
    aud = claims.get("aud")
    if isinstance(aud, str):
        token_audiences.append(aud)
    elif isinstance(aud, list):
        token_audiences.extend(str(a) for a in aud)
    if isinstance(claims.get("client_id"), str):
        token_audiences.append(claims["client_id"])
    return any(a in audience for a in token_audiences)


class JwtVerifier:
    """Verifies tokens for JWT authorizers, caching each issuer's key set, and the claims of tokens
    whose signature it has checked (a client sends the same token many times; the time claims are
    checked again on every use)."""

    def __init__(
        self,
        key_source: KeySetSource | None = None,
        leeway_s: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key_source = key_source or IssuerKeySetSource()
        self._leeway_s = leeway_s
        self._clock = clock
        self._keys: dict[str, _CachedKeys] = {}
        self._lock = threading.Lock()
        self._verified: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        """``exp`` in the future, ``nbf`` and ``iat`` (when present) not."""
        now = self._clock()
        for name in ("exp", "nbf", "iat"):
            if name in claims and not isinstance(claims[name], int | float):
                raise Unauthorized(f"{name} is not a number")
        if "exp" not in claims or claims["exp"] <= now - self._leeway_s:
            raise Unauthorized("the token has expired (or has no exp)")
        for name in ("nbf", "iat"):
            if claims.get(name, 0) > now + self._leeway_s:
                raise Unauthorized(f"the token is not valid yet ({name} is in the future)")

    def _remember(self, issuer: str, token: str, claims: dict[str, Any]) -> None:
        self._verified[(issuer, token)] = claims
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)

    def _refresh(self, issuer: str) -> _CachedKeys:
        document = self._key_source.fetch(issuer)
        keys: dict[str, Any] = {}
        for jwk in document.get("keys", []):
            try:
                keys[jwk.get("kid", "")] = jwt.PyJWK.from_dict(jwk)
            except (jwt.PyJWTError, ValueError, TypeError) as err:
                log.warning("ignoring unusable key %s of %s: %s", jwk.get("kid"), issuer, err)
        cached = _CachedKeys(keys, time.monotonic())
        with self._lock:
            self._keys[issuer] = cached
        return cached

    async def _key(self, issuer: str, kid: str) -> Any:
        loop = asyncio.get_running_loop()
        cached = self._keys.get(issuer)
        if cached is None:
            cached = await loop.run_in_executor(None, self._refresh, issuer)
        if kid not in cached.keys and time.monotonic() - cached.fetched_at >= REFRESH_INTERVAL_S:
            # The issuer may have rotated its keys: look once more, then give up.
            cached = await loop.run_in_executor(None, self._refresh, issuer)
        key = cached.keys.get(kid)
        if key is None:
            raise Unauthorized(f"no key {kid!r} in the key set of {issuer}")
        return key

    async def verify(self, token: str, authorizer: Authorizer) -> JwtIdentity:
        """The token's claims; raises Unauthorized for any token API Gateway would refuse."""
        claims = self._verified.get((authorizer.issuer, token)) or await self._verify_signed(
            token, authorizer
        )
        self._check_times(claims)
        if not _audience_matches(claims, authorizer.audience):
            raise Unauthorized("neither aud nor client_id is one of the authorizer's audiences")
        return JwtIdentity(claims, _token_scopes(claims))

    async def _verify_signed(self, token: str, authorizer: Authorizer) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ALGORITHMS:
                raise Unauthorized(f"algorithm {header.get('alg')!r} is not accepted")
            key = await self._key(authorizer.issuer, str(header.get("kid", "")))
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                issuer=authorizer.issuer,
                # Times are checked by _check_times, for remembered tokens too.
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": ["exp", "iss"],
                },
            )
        except Unauthorized:
            raise
        except Exception as err:  # a malformed token must never become a 500
            raise Unauthorized(f"{type(err).__name__}: {err}") from err
        self._remember(authorizer.issuer, token, claims)
        return claims


def check_scopes(identity: JwtIdentity, required: tuple[str, ...]) -> None:
    """Raise Forbidden unless the token carries at least one of the route's scopes (if it names any)."""
    if required and not set(required) & set(identity.scopes):
        raise Forbidden(f"token scopes {identity.scopes} include none of {list(required)}")


def claims_for_event(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as HTTP APIs pass them to the integration: every value a string, lists as ``[a b]``."""
    rendered: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, bool):
            rendered[name] = "true" if value else "false"
        elif isinstance(value, list):
            rendered[name] = "[" + " ".join(str(v) for v in value) + "]"
        elif isinstance(value, dict):
            rendered[name] = json.dumps(value, separators=(",", ":"))
        else:
            rendered[name] = str(value)
    return rendered
