"""Which stage and route a request goes to, decided as API Gateway decides it: a stage named by the
path's first segment before ``$default``; an exact route before ``{param}`` routes before greedy
``{proxy+}`` routes (the longest prefix first), a named method before ``ANY``, ``$default`` last; and
for WebSocket messages, the route named by the API's route selection expression."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from localcloud.gateway.definitions import DEFAULT_STAGE, Route

DEFAULT_ROUTE = "$default"
_PARAM = re.compile(r"^\{([^{}+]+)\}$")
_GREEDY = re.compile(r"^\{([^{}+]+)\+\}$")


@dataclass(frozen=True)
class StageMatch:
    stage: str
    path: str  # the path below the stage, starting with "/"


def select_stage(stages: Iterable[str], raw_path: str) -> StageMatch | None:
    """The stage a request path addresses, or None when the API has no stage that serves it."""
    stages = set(stages)
    first, _, rest = raw_path.lstrip("/").partition("/")
    if first and first != DEFAULT_STAGE and first in stages:
        return StageMatch(first, "/" + rest)
    if DEFAULT_STAGE in stages:
        return StageMatch(DEFAULT_STAGE, raw_path or "/")
    return None


@dataclass(frozen=True)
class _RoutePattern:
    method: str
    segments: tuple[str, ...]  # literal segments, or "{name}" / "{name+}"
    greedy: bool

    @property
    def literal_mask(self) -> tuple[int, ...]:
        return tuple(0 if s.startswith("{") else 1 for s in self.segments)


@lru_cache(maxsize=4096)
def _parse_route_key(route_key: str) -> _RoutePattern | None:
    method, _, path = route_key.partition(" ")
    if not path.startswith("/"):
        return None
    segments = tuple(path[1:].split("/")) if path != "/" else ()
    greedy = bool(segments) and bool(_GREEDY.match(segments[-1]))
    return _RoutePattern(method.upper(), segments, greedy)


def _split_path(path: str) -> list[str]:
    return path[1:].split("/") if path not in ("", "/") else []


def _bind(pattern: _RoutePattern, parts: Sequence[str]) -> dict[str, str] | None:
    """The path parameters when the pattern matches the path's segments, else None."""
    fixed = pattern.segments[:-1] if pattern.greedy else pattern.segments
    if pattern.greedy:
        if len(parts) <= len(fixed):  # a greedy variable takes at least one segment
            return None
    elif len(parts) != len(fixed):
        return None
    params: dict[str, str] = {}
    for segment, part in zip(fixed, parts, strict=False):
        param = _PARAM.match(segment)
        if param:
            if not part:
                return None
            params[param.group(1)] = unquote(part)
        elif segment != part:
            return None
    if pattern.greedy:
        rest = "/".join(parts[len(fixed) :])
        if not rest:
            return None
        params[_GREEDY.match(pattern.segments[-1]).group(1)] = unquote(rest)  # type: ignore[union-attr]
    return params


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


def _rank(pattern: _RoutePattern) -> tuple[Any, ...]:
    # Higher ranks win: not greedy, then (greedy only) a longer fixed prefix, then literals before
    # parameters segment by segment, then a named method before ANY.
    return (not pattern.greedy, len(pattern.segments), pattern.literal_mask, pattern.method != "ANY")


def match_http_route(routes: Iterable[Route], method: str, path: str) -> RouteMatch | None:
    """The route an HTTP request takes, with its path parameters; ``$default`` when nothing else
    matches; None when there is no route for it at all."""
    parts = _split_path(path)
    method = method.upper()
    best: tuple[tuple[Any, ...], RouteMatch] | None = None
    default: Route | None = None
    for route in routes:
        if route.route_key == DEFAULT_ROUTE:
            default = route
            continue
        pattern = _parse_route_key(route.route_key)
        if pattern is None or pattern.method not in (method, "ANY"):
            continue
        params = _bind(pattern, parts)
        if params is None:
            continue
        rank = _rank(pattern)
        if best is None or rank > best[0]:
            best = (rank, RouteMatch(route, params))
    if best is not None:
        return best[1]
    return RouteMatch(default, {}) if default is not None else None


def _lookup(document: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


def select_websocket_route(expression: str, body: str | bytes, route_keys: Iterable[str]) -> str | None:
    """The route key for a WebSocket message: the value the route selection expression picks from
    the JSON body when a route has that key, else ``$default`` if defined, else None."""
    keys = set(route_keys)
    selected: Any = None
    expr = expression.strip()
    if expr.startswith("${") and expr.endswith("}"):
        expr = "$" + expr[2:-1]
    if expr.startswith("$request.body."):
        try:
            selected = _lookup(json.loads(body), expr[len("$request.body.") :])
        except (ValueError, UnicodeDecodeError, RecursionError):  # not JSON, or nested past json's depth
            selected = None
    routable = keys - {"$connect", "$disconnect"}  # never selected by a message
    if (
        isinstance(selected, str | int | float)
        and not isinstance(selected, bool)
        and str(selected) in routable
    ):
        return str(selected)
    return DEFAULT_ROUTE if DEFAULT_ROUTE in keys else None
