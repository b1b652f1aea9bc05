"""Captured Lambda events from ``tests/events/``, loaded fresh for each test."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"


@cache
def _captured(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / f"{name}.json").read_text())


def load_event(name: str) -> dict[str, Any]:
    """The event captured in ``tests/events/<name>.json`` (a copy: tests may change it)."""
    return copy.deepcopy(_captured(name))


def http_event(route_key: str, path: str | None = None, **path_parameters: str) -> dict[str, Any]:
    """The captured authorized HTTP API event, re-aimed at ``route_key`` (``"GET /articles/{id}"``)."""
    method, template = route_key.split(" ", 1)
    event = load_event("http_api_post_articles")
    path = path or template.format(**path_parameters)
    event["routeKey"] = event["requestContext"]["routeKey"] = route_key
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    if path_parameters:
        event["pathParameters"] = path_parameters
    return event
