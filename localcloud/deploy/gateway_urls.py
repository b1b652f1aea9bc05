"""The local gateway's URLs for an API Gateway v2 API, so stack outputs point where requests are
actually served (the gateway's control endpoint, through ``localcloud.gateway.client``)."""

from __future__ import annotations

import logging
from typing import Any

from localcloud.gateway.client import api_url

log = logging.getLogger(__name__)


def lookup(gateway_url: str | None, api_id: str) -> dict[str, Any] | None:
    """``{"url", "stages": {stage: url}, "managementUrl"?}``, or ``None`` when the gateway does not answer
    (the outputs then keep the emulator's own ``apiEndpoint``, with a warning)."""
    if not gateway_url:
        return None
    try:
        return api_url(gateway_url, api_id)
    except Exception as exc:  # a gateway that is down must not fail the deploy
        log.warning(
            "the local gateway at %s gave no URLs for API %s (%s): outputs keep the emulator's apiEndpoint",
            gateway_url,
            api_id,
            exc,
        )
        return None
