"""Gateway benchmark: warm GET latency through the local gateway to a trivial Lambda, without and with a
Cognito JWT authorizer, against a bare Starlette route served by uvicorn in its own process in the same
run; then a bounded load run (concurrent clients on the JWT route) with its error count. Everything runs
on a private embedded cloud (free ports, temporary state dir).

Run: ``.venv/bin/python bench/gateway.py``. Prints the figures, then one JSON object as the last line.
Target (issue 3): JWT-authorized warm request p50 <= 4x the bare Starlette route; 0 errors.
"""

from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import boto3
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from localcloud import process, testing
from localcloud.gateway import client as gateway_client

WARMUP = 50
SAMPLES = 500
LOAD_REQUESTS = 2000
LOAD_CONCURRENCY = 8
PASSWORD = "Bench-Passw0rd!"
TRIVIAL = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'
BARE_SERVER = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def ok(request):
    return Response("ok")

uvicorn.run(Starlette(routes=[Route("/ok", ok)]), host="127.0.0.1", port=int(sys.argv[1]), http="h11",
            log_level="warning", access_log=False, lifespan="off")
"""


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def _latencies_ms(url: str, headers: dict[str, str]) -> list[float]:
    """Sequential keep-alive GETs; every one must answer 200."""
    samples = []
    with httpx.Client(headers=headers, timeout=30) as client:
        for i in range(WARMUP + SAMPLES):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text[:200]}")
            if i >= WARMUP:
                samples.append(elapsed * 1000)
    return samples


def _load(url: str, headers: dict[str, str]) -> tuple[int, float]:
    """LOAD_REQUESTS GETs from LOAD_CONCURRENCY clients; (errors, seconds)."""
    remaining = iter(range(LOAD_REQUESTS))
    lock = threading.Lock()
    errors = [0]

    def worker() -> None:
        with httpx.Client(headers=headers, timeout=30) as client:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                try:
                    ok = client.get(url).status_code == 200
                except httpx.HTTPError:
                    ok = False
                if not ok:
                    with lock:
                        errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(LOAD_CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors[0], time.perf_counter() - started


def _trivial_function() -> str:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("app.py", TRIVIAL)
    role = boto3.client("iam").create_role(RoleName="bench-gateway", AssumeRolePolicyDocument="{}")
    return boto3.client("lambda").create_function(
        FunctionName="bench-gateway-trivial",
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": archive.getvalue()},
    )["FunctionArn"]


def _id_token_and_issuer(region: str) -> tuple[str, str, str]:
    cognito = boto3.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="bench", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(
        UserPoolId=pool, Username="bench", MessageAction="SUPPRESS", TemporaryPassword="Temp-Passw0rd!"
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username="bench", Password=PASSWORD, Permanent=True)
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bench", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return tokens["IdToken"], f"https://cognito-idp.{region}.amazonaws.com/{pool}", client


def _api(gateway_url: str, region: str) -> tuple[str, str]:
    """An HTTP API with an open and a JWT route to the trivial function; (its URL, an ID token)."""
    apis = boto3.client("apigatewayv2")
    function_arn = _trivial_function()
    token, issuer, audience = _id_token_and_issuer(region)
    api_id = apis.create_api(Name="bench", ProtocolType="HTTP")["ApiId"]
    integration = apis.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn, PayloadFormatVersion="2.0"
    )["IntegrationId"]
    authorizer = apis.create_authorizer(
        ApiId=api_id,
        Name="cognito",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer, "Audience": [audience]},
    )["AuthorizerId"]
    apis.create_route(ApiId=api_id, RouteKey="GET /open", Target=f"integrations/{integration}")
    apis.create_route(
        ApiId=api_id,
        RouteKey="GET /secure",
        Target=f"integrations/{integration}",
        AuthorizationType="JWT",
        AuthorizerId=authorizer,
    )
    apis.create_stage(ApiId=api_id, StageName="$default")
    return gateway_client.api_url(gateway_url, api_id)["url"], token


def _bare_server() -> tuple[subprocess.Popen[bytes], str]:
    port = process.free_port()
    server = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)])
    url = f"http://127.0.0.1:{port}/ok"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the bare Starlette server did not start")


def run() -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp,
        testing.running_cloud(Path(tmp) / "cloud") as (cfg, eps),
        testing.aws_environment(eps),
    ):
        url, token = _api(eps.gateway, cfg.region)
        bearer = {"Authorization": f"Bearer {token}"}
        bare_server, bare_url = _bare_server()
        try:
            bare = _latencies_ms(bare_url, {})
        finally:
            bare_server.terminate()
            bare_server.wait(timeout=10)
        gateway = _latencies_ms(f"{url}/open", {})
        gateway_jwt = _latencies_ms(f"{url}/secure", bearer)
        errors, seconds = _load(f"{url}/secure", bearer)
    bare_p50 = statistics.median(bare)
    jwt_p50 = statistics.median(gateway_jwt)
    return {
        "bare_p50_ms": round(bare_p50, 3),
        "bare_p95_ms": round(_percentile(bare, 0.95), 3),
        "gateway_p50_ms": round(statistics.median(gateway), 3),
        "gateway_p95_ms": round(_percentile(gateway, 0.95), 3),
        "gateway_jwt_p50_ms": round(jwt_p50, 3),
        "gateway_jwt_p95_ms": round(_percentile(gateway_jwt, 0.95), 3),
        "jwt_to_bare_ratio": round(jwt_p50 / bare_p50, 2),
        "load_requests": LOAD_REQUESTS,
        "load_concurrency": LOAD_CONCURRENCY,
        "load_errors": errors,
        "load_requests_per_s": round(LOAD_REQUESTS / seconds, 1),
    }


def main() -> None:
    figures = run()
    for name, value in figures.items():
        print(f"{name:>22}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
