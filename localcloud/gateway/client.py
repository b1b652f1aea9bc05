"""Asking a running gateway where its APIs are served (for ``status`` and the deploy engine).

Plain ``urllib``: a gateway that does not answer raises ``OSError`` (``urllib.error.URLError``), an
answer that is not JSON ``ValueError``, an API the gateway does not know ``ApiNotServed``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

TIMEOUT_S = 5.0


class ApiNotServed(LookupError):
    """The gateway knows no API with that id (it is not defined in the embedded cloud)."""


# The gateway is on loopback: an HTTP(S)_PROXY in the environment must not be used to reach it.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str) -> Any:
    with _OPENER.open(url, timeout=TIMEOUT_S) as response:
        return json.loads(response.read())


def api_url(gateway_url: str, api_id: str) -> dict[str, Any]:
    """``{"apiId", "protocolType", "url", "stages": {stage: url}, "managementUrl"?}`` for one API,
    binding its port if the gateway had not yet. ``gateway_url`` is ``Endpoints.gateway``."""
    try:
        return _get(f"{gateway_url.rstrip('/')}/_localcloud/apis/{api_id}")
    except urllib.error.HTTPError as err:
        if err.code == 404:
            raise ApiNotServed(json.loads(err.read() or b"{}").get("message", f"no API {api_id}")) from err
        raise


def list_apis(gateway_url: str) -> list[dict[str, Any]]:
    """Every API the gateway serves, each described as ``api_url`` describes one."""
    return _get(f"{gateway_url.rstrip('/')}/_localcloud/apis")
